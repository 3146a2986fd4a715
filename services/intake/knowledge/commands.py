"""What a route (or, later, a timer or an event handler) asks of the knowledge base."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from services.intake.knowledge.rules import ArticleStatus
from shared.vocabulary import Category


@dataclass(frozen=True, slots=True)
class WriteArticle:
    title: str
    body: str
    category: Category
    models: tuple[str, ...]
    tags: tuple[str, ...]
    status: ArticleStatus
    by: str


@dataclass(frozen=True, slots=True)
class ReviseArticle:
    article_id: UUID
    changes: Mapping[str, Any]
    by: str


@dataclass(frozen=True, slots=True)
class DraftArticleFromTicket:
    ticket_id: UUID
    by: str


@dataclass(frozen=True, slots=True)
class SearchArticles:
    q: str
    status: ArticleStatus
    category: Category | None
    model: str | None
    limit: int
