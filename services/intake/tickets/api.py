"""Tickets over HTTP, for call-centre software and the web portal."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import JSONResponse

from services.intake.access import TicketReader, TicketWriter
from services.intake.tickets import handlers
from services.intake.tickets.commands import Alarm, CreateTicket
from services.intake.tickets.lifecycle import Status
from services.intake.tickets.schemas import TicketCreate, TicketPublic
from shared.commands import Submission
from shared.db import UnitOfWork
from shared.http.creation import CreateEndpoint
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, decode_position, page_of
from shared.http.problems import BODY_PROBLEMS, Problem, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()


async def _create_tickets(
    uow: UnitOfWork,
    requests: list[Submission[TicketCreate]],
) -> list[handlers.Entered]:
    return await handlers.create_tickets(
        uow, [_create_command(r.command, r.principal) for r in requests]
    )


def _create_command(body: TicketCreate, principal: str) -> CreateTicket:
    alarm = None if body.alarm is None else Alarm(body.alarm.source, body.alarm.code)
    return CreateTicket(**body.model_dump(exclude={"alarm"}), alarm=alarm, created_by=principal)


TICKETS = CreateEndpoint(
    "tickets",
    _create_tickets,
    TicketPublic.model_validate,
    location=lambda t: f"/v1/tickets/{t['id']}",
    # A repeat alarm is no new ticket: 200 with the open one it folded into.
    status_of=lambda ticket: 200 if ticket.get("folded") else 201,
)

_CREATE_ERRORS = problem_responses(
    *BODY_PROBLEMS,
    409,
    422,
    described={
        409: "A request with this Idempotency-Key is still in progress",
        422: "Invalid body or unknown field; an unknown customer, serial, site or contact, a "
        "serial two makers use without `manufacturer`, a serial of another customer, "
        "`reported_at` in the future; or Idempotency-Key reused with another body. `field` "
        "names what to fix",
    },
)


@router.post(
    "/tickets",
    status_code=201,
    response_model=TicketPublic,
    tags=["tickets"],
    summary="Record a fault report",
    responses={
        200: {
            "model": TicketPublic,
            "description": "A monitoring alarm whose ticket is still open: folded into it "
            "(`occurrences` counted, `last_occurred_at` moved); no new ticket",
        },
        **_CREATE_ERRORS,
    },
    description="IN-1/IN-3/IN-10: from any channel, by `customer_id` or by the asset's "
    "`serial` (+ `manufacturer` when two makers use it), which names customer, site and "
    "contract. The ticket is recorded once, classified P1-P4 from its impact, answered with "
    "its entitlement, and handed to dispatch and escalation (IN-2), counting from "
    "`reported_at`. 422 names the field: an unknown serial, customer, site or contact, an "
    "ambiguous serial (`manufacturer`), a serial of another customer, `reported_at` in the "
    "future. Send an Idempotency-Key to retry safely.",
)
async def create_ticket(
    body: TicketCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: TicketWriter,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await TICKETS(runtime, request, principal=principal.sub, key=idempotency_key, body=body)


@router.get(
    "/tickets/{ticket_id}",
    response_model=TicketPublic,
    tags=["tickets"],
    summary="A ticket",
    responses=problem_responses(404, described={404: "No such ticket"}),
)
async def get_ticket(ticket_id: UUID, runtime: RuntimeDep, principal: TicketReader) -> Any:
    async with runtime.uow() as uow:
        ticket = await handlers.get_ticket(uow, ticket_id)
    if ticket is None:
        raise Problem(404, "not-found", f"no ticket {ticket_id}")
    return ticket


@router.get(
    "/tickets", response_model=Page[TicketPublic], tags=["tickets"], summary="Tickets, oldest first"
)
async def list_tickets(
    runtime: RuntimeDep,
    principal: TicketReader,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    status: Status | None = None,
    customer_id: UUID | None = None,
) -> Any:
    after = decode_position(cursor)
    async with runtime.uow() as uow:
        tickets = await handlers.list_tickets(
            uow, after=after, limit=limit, status=status, customer_id=customer_id
        )
    return page_of(tickets, limit, key=lambda t: (t["created_at"].isoformat(), str(t["id"])))
