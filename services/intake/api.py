"""Intake's HTTP API: customers and tickets for call-centre software and the web portal."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Request, Security
from fastapi.responses import JSONResponse

from services.intake import handlers
from services.intake.domain import TicketStatus
from services.intake.schemas import CustomerCreate, CustomerPublic, TicketCreate, TicketPublic
from shared.auth import Principal, authenticate
from shared.http.creation import CreateEndpoint, one_at_a_time
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, decode_position, page_of
from shared.http.problems import BODY_PROBLEMS, Problem, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

CUSTOMERS = CreateEndpoint("customers", one_at_a_time(handlers.create_customer), CustomerPublic.model_validate,
                           location=lambda c: f"/v1/customers/{c['id']}")
TICKETS = CreateEndpoint("tickets", handlers.create_tickets, TicketPublic.model_validate,
                         location=lambda t: f"/v1/tickets/{t['id']}")

# Call-centre software registers the customers of its CRM itself; admin passes every check anyway.
CustomerWriter = Annotated[Principal, Security(authenticate, scopes=["customers:write"])]
CustomerReader = Annotated[Principal, Security(authenticate, scopes=["customers:read", "tickets:read", "ops:read"])]
TicketWriter = Annotated[Principal, Security(authenticate, scopes=["tickets:write"])]
TicketReader = Annotated[Principal, Security(authenticate, scopes=["tickets:read", "ops:read"])]

_CREATE_ERRORS = problem_responses(*BODY_PROBLEMS, 409, 422, described={
    409: "A request with this Idempotency-Key is still in progress",
    422: "Invalid body, unknown field, or Idempotency-Key reused with another body",
})


@router.post("/customers", status_code=201, response_model=CustomerPublic, tags=["customers"],
             summary="Register a customer", responses=_CREATE_ERRORS)
async def create_customer(body: CustomerCreate, request: Request, runtime: RuntimeDep, principal: CustomerWriter,
                          idempotency_key: IdempotencyKey = None) -> JSONResponse:
    return await CUSTOMERS(runtime, request, principal=principal.sub, key=idempotency_key, body=body)


@router.get("/customers/{customer_id}", response_model=CustomerPublic, tags=["customers"], summary="A customer",
            responses=problem_responses(404))
async def get_customer(customer_id: UUID, runtime: RuntimeDep, principal: CustomerReader) -> Any:
    async with runtime.uow() as uow:
        customer = await handlers.get_customer(uow, customer_id)
    if customer is None:
        raise Problem(404, "not-found", f"no customer {customer_id}")
    return customer


@router.post("/tickets", status_code=201, response_model=TicketPublic, tags=["tickets"],
             summary="Record a fault report", responses=_CREATE_ERRORS,
             description="IN-1/IN-3: the ticket is recorded once, classified P1-P4 from its impact, and handed "
                         "to dispatch and escalation (IN-2). Send an Idempotency-Key to retry safely.")
async def create_ticket(body: TicketCreate, request: Request, runtime: RuntimeDep, principal: TicketWriter,
                        idempotency_key: IdempotencyKey = None) -> JSONResponse:
    return await TICKETS(runtime, request, principal=principal.sub, key=idempotency_key, body=body)


@router.get("/tickets/{ticket_id}", response_model=TicketPublic, tags=["tickets"], summary="A ticket",
            responses=problem_responses(404, described={404: "No such ticket"}))
async def get_ticket(ticket_id: UUID, runtime: RuntimeDep, principal: TicketReader) -> Any:
    async with runtime.uow() as uow:
        ticket = await handlers.get_ticket(uow, ticket_id)
    if ticket is None:
        raise Problem(404, "not-found", f"no ticket {ticket_id}")
    return ticket


@router.get("/tickets", response_model=Page[TicketPublic], tags=["tickets"], summary="Tickets, oldest first")
async def list_tickets(runtime: RuntimeDep, principal: TicketReader, cursor: Cursor = None,
                       limit: Limit = DEFAULT_LIMIT, status: TicketStatus | None = None,
                       customer_id: UUID | None = None) -> Any:
    after = decode_position(cursor)
    async with runtime.uow() as uow:
        tickets = await handlers.list_tickets(uow, after=after, limit=limit, status=status, customer_id=customer_id)
    return page_of(tickets, limit, key=lambda t: (t["created_at"].isoformat(), str(t["id"])))
