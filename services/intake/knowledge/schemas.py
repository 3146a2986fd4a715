"""What the knowledge base's clients send and receive."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from services.intake.knowledge.rules import ArticleStatus
from shared.http.bodies import NOT_BLANK, StrictBody
from shared.http.patch import PatchBody
from shared.vocabulary import Category

BODY_MAX = 15_000  # keeps a body's term positions below tsvector's 16383 (rules.MAX_POSITION)
# A search is typed by a person: 200 characters is several sentences. A longer q is refused
# (422) before it reaches the database, so a pasted log cannot become a slow query.
QUERY_MAX = 200

Model = Annotated[str, Field(min_length=1, max_length=64, pattern=NOT_BLANK)]
Tag = Annotated[str, Field(min_length=1, max_length=32, pattern=NOT_BLANK)]


class ArticleCreate(StrictBody):
    title: str = Field(min_length=1, max_length=200, pattern=NOT_BLANK)
    body: str = Field(min_length=1, max_length=BODY_MAX, pattern=NOT_BLANK)
    category: Category
    models: list[Model] = Field(
        default_factory=list, max_length=50, description="Product models it applies to"
    )
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    status: ArticleStatus = Field(
        default=ArticleStatus.draft,
        description="Only published articles are found by engineers and suggested",
    )


class ArticlePatch(PatchBody):
    """The fields to change; absent ones stay. `status: archived` retires an article (there is no delete)."""

    title: str | SkipJsonSchema[None] = Field(
        default=None, min_length=1, max_length=200, pattern=NOT_BLANK
    )
    body: str | SkipJsonSchema[None] = Field(
        default=None, min_length=1, max_length=BODY_MAX, pattern=NOT_BLANK
    )
    category: Category | SkipJsonSchema[None] = None
    models: Annotated[list[Model], Field(max_length=50)] | SkipJsonSchema[None] = None
    tags: Annotated[list[Tag], Field(max_length=20)] | SkipJsonSchema[None] = None
    status: ArticleStatus | SkipJsonSchema[None] = None


class ArticleFromTicket(StrictBody):
    ticket_id: UUID


class ArticlePublic(BaseModel):
    id: UUID
    title: str
    body: str
    category: Category
    models: list[str]
    tags: list[str]
    status: ArticleStatus
    source_ticket_id: UUID | None
    created_by: str
    created_at: datetime
    updated_at: datetime


class ArticleFound(ArticlePublic):
    score: float | None = Field(
        default=None, description="Rank of a search or suggestion; higher is better"
    )
