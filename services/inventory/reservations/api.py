"""Reservations over HTTP (IV-1, IV-4, DS-3): the support team holds parts for a ticket, the
engineer picks them up and brings back what was not used, and what was fitted is consumed.

Who may do what: coordinators (`dispatch:admin`) and inventory staff (`inventory:admin`)
reserve, release and record consumption; engineers (`assignments:write`) pick and return;
engineers and ops read.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Request, Security
from fastapi.responses import JSONResponse

from services.inventory.reservations import handlers
from services.inventory.reservations.commands import ConsumeParts, MoveReservation, ReserveParts
from services.inventory.reservations.lifecycle import Move
from services.inventory.reservations.schemas import (
    ConsumptionCreate,
    ReservationCreate,
    ReservationPublic,
)
from shared.auth import Principal, authenticate
from shared.http.commands import CommandEndpoint
from shared.http.idempotency import IdempotencyKey
from shared.http.problems import BODY_PROBLEMS, Problem, problem_responses
from shared.http.routing import api_router
from shared.service import Runtime, RuntimeDep

router = api_router()

ReservationWriter = Annotated[
    Principal, Security(authenticate, scopes=["inventory:admin", "dispatch:admin"])
]
ReservationHandler = Annotated[
    Principal,
    Security(authenticate, scopes=["inventory:admin", "dispatch:admin", "assignments:write"]),
]
ReservationReader = Annotated[
    Principal,
    Security(
        authenticate, scopes=["inventory:admin", "dispatch:admin", "assignments:read", "ops:read"]
    ),
]

RESERVE = CommandEndpoint(
    "reservations",
    handlers.reserve,
    render=ReservationPublic.model_validate,
    status_code=201,
    location=lambda r: f"/v1/reservations/{r['id']}",
)
MOVES = {
    how: CommandEndpoint(
        f"reservations.{how.value}", handlers.act, render=ReservationPublic.model_validate
    )
    for how in (Move.pick, Move.return_, Move.release)
}
CONSUME = CommandEndpoint(
    "consumptions",
    handlers.consume,
    render=lambda rows: [ReservationPublic.model_validate(r) for r in rows],
)


@router.post(
    "/tickets/{ticket_id}/reservations",
    status_code=201,
    response_model=ReservationPublic,
    tags=["reservations"],
    summary="Hold a part for a ticket at the nearest location that has it (IV-1)",
    description="The whole quantity is held at the one location nearest the ticket's site "
    "that has it available (great-circle distance; without a site position, the location "
    "with the most). It is held for FIELDOPS_RESERVATION_DAYS (default 14), then released. "
    "When no location can cover it, or older backorders of the part are waiting, the answer "
    "is a 409 of type `insufficient-stock`, unless `backorder` is true: then the request "
    "waits (status backordered, `part.backordered`; the restore clock pauses) and is served "
    "oldest first when stock arrives (`part.available`). IV-4: a third-party or "
    "refurbished part is refused (409 `originals-only`) unless the ticket's contract has "
    "the customer's originals waiver, which the reservation then cites.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        described={
            404: "No such part, or a ticket inventory has not heard of (yet)",
            409: "Not enough stock at any one location (`insufficient-stock`), a part the "
            "contract does not allow (`originals-only`), or a cancelled or closed ticket",
        },
    ),
)
async def reserve(
    ticket_id: UUID,
    body: ReservationCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: ReservationWriter,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = ReserveParts(
        ticket_id=ticket_id,
        part_number=body.part_number,
        quantity=body.quantity,
        backorder=body.backorder,
        by=principal.sub,
    )
    return await RESERVE(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )


@router.get(
    "/tickets/{ticket_id}/reservations",
    response_model=list[ReservationPublic],
    tags=["reservations"],
    summary="A ticket's reservations, oldest first",
)
async def ticket_reservations(
    ticket_id: UUID, runtime: RuntimeDep, principal: ReservationReader
) -> Any:
    async with runtime.uow() as uow:
        return await handlers.of_ticket(uow, ticket_id)


@router.get(
    "/reservations/{reservation_id}",
    response_model=ReservationPublic,
    tags=["reservations"],
    summary="A reservation",
    responses=problem_responses(404),
)
async def get_reservation(
    reservation_id: UUID, runtime: RuntimeDep, principal: ReservationReader
) -> Any:
    async with runtime.uow() as uow:
        row = await handlers.get(uow, reservation_id)
    if row is None:
        raise Problem(404, "not-found", f"no reservation {reservation_id}")
    return row


_MOVE_PROBLEMS = problem_responses(
    *BODY_PROBLEMS,
    404,
    409,
    described={
        404: "No such reservation",
        409: "The reservation's status does not allow this move: `current_status` and "
        "`allowed` say what it is and what it may do",
    },
)


@router.post(
    "/reservations/{reservation_id}/pick",
    response_model=ReservationPublic,
    tags=["reservations"],
    summary="The engineer took the part from its location",
    description="Only a reserved part; it stays reserved for the ticket on the location's "
    "books (a `pick` ledger row) until it is consumed or returned, and no longer expires.",
    responses=_MOVE_PROBLEMS,
)
async def pick(
    reservation_id: UUID,
    request: Request,
    runtime: RuntimeDep,
    principal: ReservationHandler,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await _move(Move.pick, reservation_id, request, runtime, principal, idempotency_key)


@router.post(
    "/reservations/{reservation_id}/return",
    response_model=ReservationPublic,
    tags=["reservations"],
    summary="A picked part came back unused: on the shelf again",
    description="Only a picked part; `reservation.released` with reason `returned`.",
    responses=_MOVE_PROBLEMS,
)
async def return_(
    reservation_id: UUID,
    request: Request,
    runtime: RuntimeDep,
    principal: ReservationHandler,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await _move(Move.return_, reservation_id, request, runtime, principal, idempotency_key)


@router.post(
    "/reservations/{reservation_id}/release",
    response_model=ReservationPublic,
    tags=["reservations"],
    summary="Give a reserved part back, or withdraw a backorder",
    description="Only reserved or backordered; `reservation.released` with reason `released`. "
    "The freed stock goes to the part's waiting backorders first.",
    responses=_MOVE_PROBLEMS,
)
async def release(
    reservation_id: UUID,
    request: Request,
    runtime: RuntimeDep,
    principal: ReservationWriter,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await _move(Move.release, reservation_id, request, runtime, principal, idempotency_key)


async def _move(
    how: Move,
    reservation_id: UUID,
    request: Request,
    runtime: Runtime,
    principal: Principal,
    key: str | None,
) -> JSONResponse:
    command = MoveReservation(reservation_id=reservation_id, move=how, by=principal.sub)
    return await MOVES[how](runtime, request, principal=principal.sub, key=key, command=command)


@router.post(
    "/tickets/{ticket_id}/consumptions",
    response_model=list[ReservationPublic],
    tags=["reservations"],
    summary="Parts fitted on the ticket's job, taken from its reservations",
    description="Taken from the ticket's reserved and picked reservations of the part, "
    "oldest first; one that gives only part of what it holds stays live with the rest. "
    "Answers the reservations touched. A part not reserved for the ticket, or fewer than "
    "`quantity`, is a 409 of type `not-reserved`, and nothing changes. (A resolved ticket's "
    "parts used are consumed the same way, from `ticket.resolved`.)",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        described={404: "No such part", 409: "Not (enough) reserved for this ticket"},
    ),
)
async def consume(
    ticket_id: UUID,
    body: ConsumptionCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: ReservationWriter,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = ConsumeParts(
        ticket_id=ticket_id, part_number=body.part_number, quantity=body.quantity, by=principal.sub
    )
    return await CONSUME(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )
