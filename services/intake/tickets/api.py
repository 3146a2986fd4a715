"""Tickets over HTTP, for call-centre software and the web portal."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.intake.access import TicketReader, TicketWriter
from services.intake.reports import handlers as reports
from services.intake.reports.schemas import ReportPublic
from services.intake.tickets import handlers
from services.intake.tickets.commands import (
    Alarm,
    AwaitCustomer,
    CancelTicket,
    CentreMove,
    CloseTicket,
    CreateTicket,
    ReclassifyTicket,
    ReopenTicket,
    ResolveTicket,
    ResumeTicket,
)
from services.intake.tickets.lifecycle import Status
from services.intake.tickets.schemas import (
    AwaitCustomerBody,
    CloseBody,
    ReasonBody,
    ReclassifyBody,
    ResolveBody,
    ResumeBody,
    TicketCreate,
    TicketPublic,
)
from shared.auth import Principal
from shared.commands import Submission
from shared.db import UnitOfWork
from shared.http.commands import CommandEndpoint
from shared.http.creation import CreateEndpoint
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, decode_position, page_of
from shared.http.problems import BODY_PROBLEMS, Problem, problem_responses
from shared.http.routing import api_router
from shared.service import Runtime, RuntimeDep

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


# --- the centre's moves (IN-4) ---

MOVES = CommandEndpoint("ticket-moves", handlers.move, render=TicketPublic.model_validate)

_MOVE_PROBLEMS = problem_responses(
    *BODY_PROBLEMS,
    404,
    409,
    422,
    described={
        404: "No such ticket",
        409: "The move is not allowed in the ticket's status: `current_status` and `allowed` "
        "(the moves that are) say what is; a reopen more than 7 days after the resolution; "
        "or a request with this Idempotency-Key still in progress",
        422: "Invalid body, or Idempotency-Key reused with another body",
    },
)


async def _move(
    runtime: Runtime,
    request: Request,
    principal: Principal,
    key: str | None,
    command: CentreMove,
    body: BaseModel,
) -> JSONResponse:
    return await MOVES(
        runtime, request, principal=principal.sub, key=key, command=command, body=body
    )


def _move_route(path: str, summary: str, description: str, **extra: Any) -> Any:
    return router.post(
        f"/tickets/{{ticket_id}}/{path}",
        response_model=TicketPublic,
        tags=["tickets"],
        summary=summary,
        description=description + " Send an Idempotency-Key to retry safely.",
        responses=extra.pop("responses", _MOVE_PROBLEMS),
    )


@_move_route(
    "await-customer",
    "Wait for the customer",
    "Work waits for the customer (site access, a maintenance window, a test): escalation "
    "pauses the restore clock (`ticket.awaiting_customer`). Allowed from any status before "
    "resolution; `resume` returns the ticket to where it was.",
)
async def await_customer(
    ticket_id: UUID,
    body: AwaitCustomerBody,
    request: Request,
    runtime: RuntimeDep,
    principal: TicketWriter,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = AwaitCustomer(ticket_id=ticket_id, reason=body.reason, by=principal.sub)
    return await _move(runtime, request, principal, idempotency_key, command, body)


@_move_route(
    "resume",
    "Resume after waiting for the customer",
    "Back to the status the ticket was held from; paused clocks resume (`ticket.resumed`).",
)
async def resume(
    ticket_id: UUID,
    body: ResumeBody,
    request: Request,
    runtime: RuntimeDep,
    principal: TicketWriter,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = ResumeTicket(ticket_id=ticket_id, reason=body.reason, by=principal.sub)
    return await _move(runtime, request, principal, idempotency_key, command, body)


@_move_route(
    "resolve",
    "Resolve with a service report",
    "IN-5: for a fault fixed by phone (an engineer's phone resolves it with "
    "`assignment.completed`). The report is kept (GET .../report) and `ticket.resolved` "
    "stops the restore clock and consumes reserved parts. A parts list naming a serial twice "
    "is refused (422).",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        422,
        described={
            404: "No such ticket",
            409: "Resolved, closed or cancelled already (`current_status`, `allowed`), or a "
            "request with this Idempotency-Key still in progress",
            422: "Invalid body; a serial repeated in `report.parts_used`; or Idempotency-Key "
            "reused with another body",
        },
    ),
)
async def resolve(
    ticket_id: UUID,
    body: ResolveBody,
    request: Request,
    runtime: RuntimeDep,
    principal: TicketWriter,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = ResolveTicket(ticket_id=ticket_id, report=body.report.report(), by=principal.sub)
    return await _move(runtime, request, principal, idempotency_key, command, body)


@_move_route(
    "close",
    "Close a resolved ticket",
    "The customer confirmed the fix, on a follow-up call or otherwise (`ticket.closed`).",
)
async def close(
    ticket_id: UUID,
    body: CloseBody,
    request: Request,
    runtime: RuntimeDep,
    principal: TicketWriter,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = CloseTicket(ticket_id=ticket_id, reason=body.reason, by=principal.sub)
    return await _move(runtime, request, principal, idempotency_key, command, body)


@_move_route(
    "reopen",
    "Reopen a resolved ticket",
    "IN-4: the fault came back within 7 days of the resolution (later: 409, record a new "
    "ticket). Back to in_progress (`ticket.reopened`).",
)
async def reopen(
    ticket_id: UUID,
    body: ReasonBody,
    request: Request,
    runtime: RuntimeDep,
    principal: TicketWriter,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = ReopenTicket(ticket_id=ticket_id, reason=body.reason, by=principal.sub)
    return await _move(runtime, request, principal, idempotency_key, command, body)


@_move_route(
    "cancel",
    "Cancel before resolution",
    "Withdrawn (a duplicate, a mistaken call): dispatch withdraws the engineer and inventory "
    "releases reserved parts (`ticket.cancelled`).",
)
async def cancel(
    ticket_id: UUID,
    body: ReasonBody,
    request: Request,
    runtime: RuntimeDep,
    principal: TicketWriter,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = CancelTicket(ticket_id=ticket_id, reason=body.reason, by=principal.sub)
    return await _move(runtime, request, principal, idempotency_key, command, body)


@_move_route(
    "reclassify",
    "Change the priority",
    "Any ticket before resolution; the status stays. Dispatch and escalation recompute from "
    "`ticket.reclassified` (old and new priority, reason).",
)
async def reclassify(
    ticket_id: UUID,
    body: ReclassifyBody,
    request: Request,
    runtime: RuntimeDep,
    principal: TicketWriter,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = ReclassifyTicket(
        ticket_id=ticket_id, priority=body.priority, reason=body.reason, by=principal.sub
    )
    return await _move(runtime, request, principal, idempotency_key, command, body)


@router.get(
    "/tickets/{ticket_id}/report",
    response_model=ReportPublic,
    tags=["tickets"],
    summary="The service report of the latest resolution",
    description="IN-5: a ticket reopened and resolved again keeps both reports; this is the "
    "latest (the timeline shows each).",
    responses=problem_responses(404, described={404: "No such ticket, or not resolved yet"}),
)
async def ticket_report(ticket_id: UUID, runtime: RuntimeDep, principal: TicketReader) -> Any:
    async with runtime.uow() as uow:
        stored = await reports.latest_report(uow, ticket_id)
    return ReportPublic.of(stored)
