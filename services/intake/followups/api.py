"""Follow-up calls over HTTP: the centre records its calls to the customer after the work."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import JSONResponse

from services.intake.access import TicketReader, TicketWriter
from services.intake.followups import handlers
from services.intake.followups.commands import RecordFollowUp
from services.intake.followups.schemas import FollowUpCreate, FollowUpPublic
from shared.http.commands import CommandEndpoint
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, decode_position, page_of
from shared.http.problems import BODY_PROBLEMS, Problem, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

FOLLOW_UPS = CommandEndpoint(
    "follow-ups", handlers.record_follow_up, render=FollowUpPublic.of, status_code=201
)


@router.post(
    "/tickets/{ticket_id}/follow-ups",
    status_code=201,
    response_model=FollowUpPublic,
    tags=["tickets"],
    summary="Record a follow-up call",
    description="IN-7: a phone follow-up (回访) with who called, when and the outcome; listed "
    "with the ticket's follow-ups and on its timeline. Send an Idempotency-Key to retry safely.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        422,
        described={
            404: "No such ticket",
            409: "A request with this Idempotency-Key is still in progress",
            422: "Invalid body; `called_at` in the future; or Idempotency-Key reused with "
            "another body",
        },
    ),
)
async def record_follow_up(
    ticket_id: UUID,
    body: FollowUpCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: TicketWriter,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = RecordFollowUp(
        ticket_id=ticket_id,
        called_by=body.called_by,
        called_at=body.called_at,
        outcome=body.outcome,
        notes=body.notes,
        by=principal.sub,
    )
    return await FOLLOW_UPS(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )


@router.get(
    "/tickets/{ticket_id}/follow-ups",
    response_model=Page[FollowUpPublic],
    tags=["tickets"],
    summary="A ticket's follow-up calls, in the order they were made",
    responses=problem_responses(404, described={404: "No such ticket"}),
)
async def list_follow_ups(
    ticket_id: UUID,
    runtime: RuntimeDep,
    principal: TicketReader,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Any:
    after = decode_position(cursor)
    async with runtime.uow() as uow:
        found = await handlers.list_follow_ups(uow, ticket_id, after=after, limit=limit)
    if found is None:
        raise Problem(404, "not-found", f"no ticket {ticket_id}")
    return page_of(
        [FollowUpPublic.of(f) for f in found],
        limit,
        key=lambda f: (f.called_at.isoformat(), str(f.id)),
    )
