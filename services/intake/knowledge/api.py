"""IN-8 over HTTP: the technical service manual for the centre, the engineers and the admins who keep it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Request, Security
from fastapi.responses import JSONResponse

from services.intake.knowledge import handlers
from services.intake.knowledge.commands import (
    DraftArticleFromTicket,
    ReviseArticle,
    SearchArticles,
    WriteArticle,
)
from services.intake.knowledge.rules import ArticleStatus, Place
from services.intake.knowledge.schemas import (
    QUERY_MAX,
    ArticleCreate,
    ArticleFound,
    ArticleFromTicket,
    ArticlePatch,
    ArticlePublic,
)
from shared.auth import Principal, authenticate
from shared.commands import Submission
from shared.http.creation import CreateEndpoint
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import (
    DEFAULT_LIMIT,
    Cursor,
    Limit,
    Page,
    cursor_invalid,
    decode_cursor,
    decode_position,
    encode_cursor,
    page_of,
)
from shared.http.problems import BODY_PROBLEMS, Problem, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep
from shared.vocabulary import Category

router = api_router()

Admin = Annotated[Principal, Security(authenticate, scopes=["admin"])]
# Engineers read the manual on site as well as the centre does.
Reader = Annotated[
    Principal, Security(authenticate, scopes=["tickets:read", "ops:read", "assignments:read"])
]


async def _write_many(uow: Any, requests: list[Submission[ArticleCreate]]) -> list[Any]:
    return await handlers.write_articles(
        uow,
        [
            WriteArticle(
                title=r.command.title,
                body=r.command.body,
                category=r.command.category,
                models=tuple(r.command.models),
                tags=tuple(r.command.tags),
                status=r.command.status,
                by=r.principal,
            )
            for r in requests
        ],
    )


async def _draft_many(uow: Any, requests: list[Submission[ArticleFromTicket]]) -> list[Any]:
    return await handlers.draft_from_tickets(
        uow, [DraftArticleFromTicket(r.command.ticket_id, r.principal) for r in requests]
    )


ARTICLES: CreateEndpoint[ArticleCreate] = CreateEndpoint(
    "knowledge",
    _write_many,
    ArticlePublic.model_validate,
    location=lambda a: f"/v1/knowledge/{a['id']}",
)
DRAFTS: CreateEndpoint[ArticleFromTicket] = CreateEndpoint(
    "knowledge-drafts",
    _draft_many,
    ArticlePublic.model_validate,
    location=lambda a: f"/v1/knowledge/{a['id']}",
)

_CREATE_ERRORS = problem_responses(
    *BODY_PROBLEMS,
    409,
    422,
    described={
        409: "A request with this Idempotency-Key is still in progress",
        422: "Invalid body, unknown field, or Idempotency-Key reused with another body",
    },
)


@router.post(
    "/knowledge",
    status_code=201,
    response_model=ArticlePublic,
    tags=["knowledge"],
    summary="Write an article",
    responses=_CREATE_ERRORS,
)
async def create_article(
    body: ArticleCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: Admin,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await ARTICLES(runtime, request, principal=principal.sub, key=idempotency_key, body=body)


@router.post(
    "/knowledge/from-ticket/{ticket_id}",
    status_code=201,
    response_model=ArticlePublic,
    tags=["knowledge"],
    summary="Draft an article from a resolved ticket",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        422,
        described={
            404: "No such ticket",
            409: "The ticket is not resolved, or already has an article",
        },
    ),
    description="IN-8: the ticket's summary, description and service report become a draft an "
    "editor rewrites and publishes with PATCH.",
)
async def draft_from_ticket(
    ticket_id: UUID,
    request: Request,
    runtime: RuntimeDep,
    principal: Admin,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await DRAFTS(
        runtime,
        request,
        principal=principal.sub,
        key=idempotency_key,
        body=ArticleFromTicket(ticket_id=ticket_id),
    )


def _visible(article: Any, principal: Principal) -> bool:
    return article.status == ArticleStatus.published or principal.has("admin")


@router.get(
    "/knowledge/{article_id}",
    response_model=ArticlePublic,
    tags=["knowledge"],
    summary="An article",
    responses=problem_responses(
        404, described={404: "No such article (drafts are visible to admins)"}
    ),
)
async def get_article(article_id: UUID, runtime: RuntimeDep, principal: Reader) -> Any:
    async with runtime.uow() as uow:
        article = await handlers.get(uow, article_id)
    if article is None or not _visible(article, principal):
        raise Problem(404, "not-found", f"no article {article_id}")
    return handlers.as_dict(article)


@router.patch(
    "/knowledge/{article_id}",
    response_model=ArticlePublic,
    tags=["knowledge"],
    summary="Revise, publish or archive an article",
    responses=problem_responses(*BODY_PROBLEMS, 404, 422, described={404: "No such article"}),
    description="Articles are archived (`status: archived`), never deleted: IN-8 keeps every service "
    "record, and a ticket's draft keeps pointing at its article.",
)
async def patch_article(
    article_id: UUID, body: ArticlePatch, runtime: RuntimeDep, principal: Admin
) -> Any:
    changes = body.model_dump(exclude_unset=True)
    if any(value is None for value in changes.values()):
        raise Problem(
            422, "validation", "a field to change cannot be null; leave it out to keep it"
        )
    for name in ("models", "tags"):
        if name in changes:
            changes[name] = tuple(changes[name])
    async with runtime.uow() as uow:
        article = await handlers.revise(uow, ReviseArticle(article_id, changes, principal.sub))
        await uow.commit()
    return handlers.as_dict(article)


def _search_cursor(as_of: datetime, place: Place) -> str:
    older_at, older_id = place.older_than or (None, None)
    score, after_id = place.after or (None, None)
    return encode_cursor(
        as_of.isoformat(),
        place.title_hits,
        older_at.isoformat() if older_at else None,
        str(older_id) if older_id else None,
        score,
        str(after_id) if after_id else None,
    )


def _instant(value: Any) -> datetime:
    at = datetime.fromisoformat(value)
    if at.tzinfo is None:
        raise ValueError("an instant has a time zone")
    return at.astimezone(UTC)


def _search_position(cursor: str | None) -> tuple[datetime, Place] | None:
    values = decode_cursor(cursor, 6)
    if values is None:
        return None
    as_of, title_hits, older_at, older_id, score, after_id = values
    try:
        if not isinstance(title_hits, bool) or (
            isinstance(score, bool) or not isinstance(score, int | float)
        ):
            raise ValueError("not a search position")
        older = None if older_at is None else (_instant(older_at), UUID(older_id))
        return _instant(as_of), Place(title_hits, older, (float(score), UUID(after_id)))
    except (TypeError, ValueError, OverflowError):
        raise cursor_invalid() from None


@router.get(
    "/knowledge",
    response_model=Page[ArticleFound],
    tags=["knowledge"],
    summary="Search the manual, best match first",
    responses=problem_responses(
        403,
        422,
        described={
            403: "Only admins list drafts and archived articles",
            422: "q longer than 200 characters",
        },
    ),
    description="IN-8: every word of `q` must occur in the title or body, Chinese or English; title "
    "hits come before body hits; each in groups of the 200 most recently updated, ranked by "
    "closeness, then recency (a search with up to 200 hits of each is ranked as a whole). Without "
    "`q`: the most recently updated first.",
)
async def search_articles(
    runtime: RuntimeDep,
    principal: Reader,
    q: Annotated[
        str, Query(max_length=QUERY_MAX, description="Words to find; Chinese needs no spaces")
    ] = "",
    category: Category | None = None,
    model: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    status: ArticleStatus = ArticleStatus.published,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Any:
    if status != ArticleStatus.published and not principal.has("admin"):
        raise Problem(403, "insufficient-scope", "only admins list drafts and archived articles")
    command = SearchArticles(
        q=q.strip(), status=status, category=category, model=model, limit=limit + 1
    )
    if not command.q:
        async with runtime.uow() as uow:
            found = await handlers.recent(uow, command, after=decode_position(cursor))
        return page_of(
            [f.as_dict() for f in found],
            limit,
            key=lambda a: (a["updated_at"].isoformat(), str(a["id"])),
        )
    position = _search_position(cursor)
    async with runtime.uow() as uow:
        found, as_of = await handlers.search(
            uow,
            command,
            as_of=position[0] if position else None,
            place=position[1] if position else None,
        )
    page = page_of([f.as_dict() for f in found], limit, key=lambda a: (a["id"],))
    if page.next_cursor is not None:
        place = found[limit - 1].place
        assert place is not None  # every hit of a search has its place
        page.next_cursor = _search_cursor(as_of, place)
    return page


@router.get(
    "/tickets/{ticket_id}/suggestions",
    response_model=list[ArticleFound],
    tags=["knowledge"],
    summary="Articles that may solve this ticket",
    responses=problem_responses(404, described={404: "No such ticket"}),
    description="IN-8: published articles ranked by the ticket's category, its product model (give "
    "`model` until tickets carry one) and how close their text is to the ticket's.",
)
async def ticket_suggestions(
    ticket_id: UUID,
    runtime: RuntimeDep,
    principal: Reader,
    model: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Any:
    async with runtime.uow() as uow:
        found = await handlers.suggestions(uow, ticket_id, model=model, limit=limit)
    return [f.as_dict() for f in found]
