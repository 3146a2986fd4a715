"""SLA clocks and the ladder over HTTP: a ticket's promises for the team lead and ops, the
breaches, and the acknowledgement that holds the ladder."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Request, Security
from fastapi.responses import JSONResponse

from services.escalation.clocks import handlers
from services.escalation.clocks.schemas import AckBody, BreachPublic, LadderPublic, TicketSla
from services.escalation.ladder import handlers as ladder
from services.escalation.ladder.commands import Acknowledge
from shared.auth import Principal, authenticate
from shared.http.commands import CommandEndpoint
from shared.http.fields import Instant
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, decode_position, page_of
from shared.http.problems import BODY_PROBLEMS, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

SlaReader = Annotated[Principal, Security(authenticate, scopes=["sla:read", "ops:read"])]
# The level's contact follows the ticket with sla:read; whether they hold this level is the
# ladder's rule, not a scope. escalation:admin (or admin) acknowledges any level.
Acknowledger = Annotated[Principal, Security(authenticate, scopes=["sla:read", "escalation:admin"])]
ADMIN_SCOPE = "escalation:admin"

ACK = CommandEndpoint("escalation.ack", ladder.acknowledge, render=LadderPublic.model_validate)


@router.get(
    "/tickets/{ticket_id}/sla",
    response_model=TicketSla,
    tags=["sla"],
    summary="A ticket's SLA clocks and its escalation ladder, as of now",
    description="Each clock (response, on site, restore, repair) with its calendar, target, "
    "due time, whether it runs, is paused (and why) or stopped, the business minutes used, "
    "met or breached and the warnings sent; the ladder's level, who must act, the step's limit, "
    "an acknowledgement's hold and its history.",
    responses=problem_responses(404, described={404: "Escalation knows no such ticket"}),
)
async def ticket_sla(ticket_id: UUID, runtime: RuntimeDep, principal: SlaReader) -> Any:
    async with runtime.uow() as uow:
        return await handlers.ticket_sla(uow, ticket_id)


@router.post(
    "/tickets/{ticket_id}/escalation/ack",
    response_model=LadderPublic,
    tags=["sla"],
    summary="Acknowledge the escalation: the ladder holds for one step limit",
    description="ES-5: one of the level's contacts (the token's subject is their e-mail) or an "
    "admin takes the ticket in hand; the ladder does not climb, by step limit or breach, for "
    "one limit of the running step. Once per level. Send an Idempotency-Key to retry safely.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        403,
        404,
        409,
        422,
        described={
            403: "Neither one of that level's contacts nor an admin",
            404: "Escalation knows no such ticket",
            409: "The level is not reached yet, or passed, or already acknowledged; or the "
            "ticket is resolved, cancelled or closed",
            422: "Invalid body, or Idempotency-Key reused with another body",
        },
    ),
)
async def acknowledge(
    ticket_id: UUID,
    body: AckBody,
    request: Request,
    runtime: RuntimeDep,
    principal: Acknowledger,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = Acknowledge(
        ticket_id=ticket_id,
        by=principal.sub,
        level=body.level,
        is_admin=principal.has(ADMIN_SCOPE),
    )
    return await ACK(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )


@router.get(
    "/breaches",
    response_model=Page[BreachPublic],
    tags=["sla"],
    summary="Clocks breached since a time, oldest first",
    description="Every SLA clock whose breach was announced at `since` or later (its due time), "
    "with its ticket; paged by `next_cursor`.",
    responses=problem_responses(422),
)
async def breaches(
    runtime: RuntimeDep,
    principal: SlaReader,
    since: Annotated[Instant, Query(description="ISO 8601 with a time zone")],
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Any:
    async with runtime.uow() as uow:
        found = await handlers.breaches(
            uow, since=since, after=decode_position(cursor), limit=limit
        )
    return page_of(found, limit, key=lambda b: (b["breached_at"].isoformat(), str(b["id"])))
