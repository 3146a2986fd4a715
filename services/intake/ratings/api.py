"""IN-6 over HTTP: the centre fetches a resolved ticket's rating link; the customer rates
through it without logging in."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request

from services.intake.access import TicketReader
from services.intake.ratings import handlers, tokens
from services.intake.ratings.commands import IssueRatingLink, RecordRating
from services.intake.ratings.schemas import RatingCreate, RatingLinkPublic, RatingPublic
from shared.http.commands import CommandEndpoint
from shared.http.idempotency import IdempotencyKey
from shared.http.problems import BODY_PROBLEMS, Problem, problem_responses
from shared.http.routing import api_router, refuse_unknown_query
from shared.service import RuntimeDep

router = api_router()
# The customer's route takes no token, so it cannot answer 401 or 403: a router of its own
# that documents what it can answer, with the same refusal of unknown query parameters.
public_router = APIRouter(
    prefix="/v1",
    responses=problem_responses(422, 503),
    dependencies=[Depends(refuse_unknown_query)],
)

RATINGS: CommandEndpoint[RecordRating] = CommandEndpoint(
    "ratings",
    handlers.record_rating,
    render=lambda rating: RatingPublic.model_validate(rating),
    status_code=201,
)
# The link's token stands in for a login: whoever holds it is the customer it was sent to.
ANONYMOUS = "rating-link"

Token = Annotated[
    str,
    Path(
        min_length=16,
        max_length=1024,
        pattern=r"^[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+$",
    ),
]


def _unconfigured() -> Problem:
    return Problem(503, "rating-links-unconfigured", "rating links need FIELDOPS_RATING_SECRET")


@router.get(
    "/tickets/{ticket_id}/rating-link",
    response_model=RatingLinkPublic,
    tags=["ratings"],
    summary="The customer's rating link for a resolved ticket",
    responses=problem_responses(
        404,
        409,
        410,
        described={
            404: "No such ticket",
            409: "The ticket is not resolved (or closed) yet",
            410: "The ticket's 30-day rating window has passed",
        },
    ),
    description="IN-6: a signed, single-use link, valid 30 days from the resolution. Asking again "
    "while it is valid gives the same link.",
)
async def rating_link(ticket_id: UUID, runtime: RuntimeDep, principal: TicketReader) -> Any:
    try:
        async with runtime.uow() as uow:
            link, token = await handlers.issue_link(IssueRatingLink(ticket_id), uow)
            await uow.commit()
    except tokens.RatingKeyMissing:
        raise _unconfigured()
    return RatingLinkPublic(url=f"/v1/ratings/{token}", expires_at=link.expires_at)


@public_router.post(
    "/ratings/{token}",
    status_code=201,
    response_model=RatingPublic,
    tags=["ratings"],
    summary="Rate the service (no login: the link is the credential)",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        410,
        described={
            404: "No such rating link (forged or altered)",
            409: "Already rated, or the ticket was reopened",
            410: "The link has expired",
            422: "A score outside 1-5, a comment over 2,000 characters, or an Idempotency-Key "
            "reused with another body",
        },
    ),
    openapi_extra={"security": []},
    description="IN-6: score 1-5 and an optional comment, once per ticket. The answer says nothing "
    "about the ticket beyond 404, 409 and 410.",
)
async def rate(
    body: RatingCreate,
    request: Request,
    runtime: RuntimeDep,
    token: Token,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    try:
        return await RATINGS(
            runtime,
            request,
            principal=ANONYMOUS,
            key=idempotency_key,
            command=RecordRating(token=token, score=body.score, comment=body.comment),
            body=body,
        )
    except tokens.RatingKeyMissing:
        raise _unconfigured()
