"""The knowledge base's glue: load, decide (rules), save. Articles cause no events: nothing consumes them yet."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from services.intake.knowledge import rules, store
from services.intake.knowledge.commands import (
    DraftArticleFromTicket,
    ReviseArticle,
    SearchArticles,
    WriteArticle,
)
from services.intake.knowledge.rules import Article
from services.intake.tickets.lifecycle import TicketNotFound
from shared.db import UnitOfWork
from shared.errors import DomainError, NotFound
from shared.events.base import Event


class ArticleNotFound(NotFound):
    pass


Created = tuple[dict[str, Any], list[Event]]


@dataclass(frozen=True, slots=True)
class Found:
    article: Article
    score: float | None = None
    place: rules.Place | None = None  # a search's place just after this article

    def as_dict(self) -> dict[str, Any]:
        return as_dict(self.article) | {"score": self.score}


def as_dict(article: Article) -> dict[str, Any]:
    return {name: getattr(article, name) for name in rules.Article.__dataclass_fields__}


async def _save_new(uow: UnitOfWork, fields: dict[str, Any], by: str) -> Created:
    article = Article(
        id=uuid.uuid4(), created_by=by, created_at=uow.now, updated_at=uow.now, **fields
    )
    saved = await store.insert(uow.conn, article, rules.document(article.title, article.body))
    return as_dict(saved), []


async def write_articles(
    uow: UnitOfWork, commands: list[WriteArticle]
) -> list[Created | DomainError]:
    results: list[Created | DomainError] = []
    for command in commands:
        fields = {
            "title": command.title,
            "body": command.body,
            "category": command.category,
            "models": command.models,
            "tags": command.tags,
            "status": command.status,
            "source_ticket_id": None,
        }
        results.append(await _save_new(uow, fields, command.by))
    return results


async def draft_from_tickets(
    uow: UnitOfWork, commands: list[DraftArticleFromTicket]
) -> list[Created | DomainError]:
    """IN-8: each resolved ticket's report becomes a draft; one refusal spares the rest of the batch."""
    results: list[Created | DomainError] = []
    for command in commands:
        try:
            async with uow.conn.transaction():
                ticket = await store.ticket_for_article(uow.conn, command.ticket_id)
                if ticket is None:
                    raise TicketNotFound(
                        f"no ticket {command.ticket_id}", ticket_id=command.ticket_id
                    )
                results.append(await _save_new(uow, rules.draft_from_ticket(ticket), command.by))
        except DomainError as refused:
            results.append(refused)
    return results


async def revise(uow: UnitOfWork, command: ReviseArticle) -> Article:
    article = await store.lock(uow.conn, command.article_id)
    if article is None:
        raise ArticleNotFound(f"no article {command.article_id}", article_id=command.article_id)
    revised = rules.revise(article, command.changes, uow.now)
    return await store.update(uow.conn, revised, rules.document(revised.title, revised.body))


async def get(uow: UnitOfWork, article_id: UUID) -> Article | None:
    return await store.get(uow.conn, article_id)


async def search(
    uow: UnitOfWork,
    command: SearchArticles,
    *,
    as_of: datetime | None,
    place: rules.Place | None,
) -> tuple[list[Found], datetime]:
    """Ranked matches of a non-empty query from `place` on; the ranking is as of the first page's time."""
    as_of = as_of or uow.now
    query = rules.search_query(command.q)
    if query is None:
        return [], as_of  # only punctuation: nothing can match it
    await store.plan_for_each_query(uow.conn)
    taken: list[tuple[rules.Ranked, rules.Place]] = []
    at: rules.Place | None = place or rules.Place()
    # Each turn either fills the page or moves on (an older window, the body hits, the end).
    while at is not None and len(taken) < command.limit:
        window = await store.ranked_window(
            uow.conn,
            query,
            title_hits=at.title_hits,
            older_than=at.older_than,
            as_of=as_of,
            status=command.status,
            category=command.category,
            model=command.model,
            size=rules.SEARCH_WINDOW,
        )
        more, at = rules.take(window, at, command.limit - len(taken))
        taken += more
    articles = {a.id: a for a in await store.get_many(uow.conn, [r.id for r, _ in taken])}
    return [Found(articles[r.id], r.score, after) for r, after in taken if r.id in articles], as_of


async def recent(
    uow: UnitOfWork, command: SearchArticles, *, after: tuple[datetime, UUID] | None
) -> list[Found]:
    articles = await store.recent(
        uow.conn,
        status=command.status,
        category=command.category,
        model=command.model,
        after=after,
        limit=command.limit,
    )
    return [Found(article) for article in articles]


async def suggestions(
    uow: UnitOfWork, ticket_id: UUID, *, model: str | None, limit: int
) -> list[Found]:
    """IN-8: published articles for a ticket, by its category, its model when known, and its text."""
    ticket = await store.ticket_for_article(uow.conn, ticket_id)
    if ticket is None:
        raise TicketNotFound(f"no ticket {ticket_id}", ticket_id=ticket_id)
    terms = rules.suggestion_terms([ticket.summary, ticket.description])
    found = await store.suggest(
        uow.conn, terms, category=ticket.category.value, model=model, as_of=uow.now, limit=limit
    )
    return [Found(article, score) for article, score in found]
