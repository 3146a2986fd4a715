"""Loaners over HTTP (IV-2): the pool, check-out and check-in, and who is owed one."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Path, Query, Request, Security

from services.inventory.loaners import handlers
from services.inventory.loaners.commands import (
    CheckIn,
    CheckOut,
    DeclareModel,
    RegisterLoaner,
    Retire,
)
from services.inventory.loaners.lifecycle import DueStatus
from services.inventory.loaners.schemas import (
    SERIAL,
    CheckInBody,
    CheckOutBody,
    LoanerCreate,
    LoanerDuePublic,
    LoanerFilter,
    LoanerPublic,
    ModelDeclare,
    ModelPublic,
)
from shared.auth import Principal, authenticate
from shared.http.commands import CommandEndpoint
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import (
    DEFAULT_LIMIT,
    Cursor,
    Limit,
    Page,
    decode_position_of,
    page_of,
)
from shared.http.problems import BODY_PROBLEMS, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

InventoryAdmin = Annotated[Principal, Security(authenticate, scopes=["inventory:admin"])]
LoanerReader = Annotated[Principal, Security(authenticate, scopes=["inventory:admin", "ops:read"])]
Serial = Annotated[str, Path(pattern=SERIAL.pattern, max_length=100)]

LOANERS: CommandEndpoint[RegisterLoaner] = CommandEndpoint(
    "loaners",
    handlers.register_loaner,
    render=LoanerPublic.model_validate,
    status_code=201,
)
MODELS: CommandEndpoint[DeclareModel] = CommandEndpoint(
    "models", handlers.declare_model, render=ModelPublic.model_validate
)
CHECK_OUTS: CommandEndpoint[CheckOut] = CommandEndpoint(
    "loaner-check-outs", handlers.check_out, render=LoanerPublic.model_validate
)
CHECK_INS: CommandEndpoint[CheckIn] = CommandEndpoint(
    "loaner-check-ins", handlers.check_in, render=LoanerPublic.model_validate
)
RETIREMENTS: CommandEndpoint[Retire] = CommandEndpoint(
    "loaner-retirements", handlers.retire, render=LoanerPublic.model_validate
)


@router.post(
    "/loaners",
    status_code=201,
    response_model=LoanerPublic,
    tags=["loaners"],
    summary="Add a loaner unit to the pool",
    description="IV-2: a serialized unit kept at a location. Its model becomes known with its "
    "manufacturer and category (what makes another model similar). A unit that fits a ticket "
    "waiting for a loaner goes out to the oldest such ticket at once.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        described={
            404: "No such location",
            409: "Serial already registered, or the model is known under another manufacturer "
            "or category",
        },
    ),
)
async def register_loaner(
    body: LoanerCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: InventoryAdmin,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    command = RegisterLoaner(**body.model_dump(), by=principal.sub)
    return await LOANERS(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )


@router.post(
    "/models",
    response_model=ModelPublic,
    tags=["loaners"],
    summary="Declare a product model's manufacturer and category",
    description="IV-2: a customer's model with no loaner of its own gets a similar one (same "
    "manufacturer and category) once its category is declared here. Declaring again changes "
    "the category; the manufacturer stays.",
    responses=problem_responses(
        *BODY_PROBLEMS, 409, described={409: "The model is known under another manufacturer"}
    ),
)
async def declare_model(
    body: ModelDeclare,
    request: Request,
    runtime: RuntimeDep,
    principal: InventoryAdmin,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    command = DeclareModel(**body.model_dump())
    return await MODELS(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )


@router.post(
    "/loaners/{serial}/check-out",
    response_model=LoanerPublic,
    tags=["loaners"],
    summary="Lend a loaner to a ticket's customer",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        422,
        described={
            404: "No such loaner or ticket",
            409: "Already checked out, retired, or the ticket is closed or cancelled",
            422: "Due back before now",
        },
    ),
)
async def check_out(
    serial: Serial,
    body: CheckOutBody,
    request: Request,
    runtime: RuntimeDep,
    principal: InventoryAdmin,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    command = CheckOut(
        serial=serial, ticket_id=body.ticket_id, by=principal.sub, due_back=body.due_back
    )
    return await CHECK_OUTS(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )


@router.post(
    "/loaners/{serial}/check-in",
    response_model=LoanerPublic,
    tags=["loaners"],
    summary="Take a loaner back",
    description="The unit is available again, or goes at once to the oldest ticket waiting "
    "for one it fits.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        described={404: "No such loaner", 409: "The loaner is not checked out"},
    ),
)
async def check_in(
    serial: Serial,
    body: CheckInBody,
    request: Request,
    runtime: RuntimeDep,
    principal: InventoryAdmin,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    command = CheckIn(serial=serial, by=principal.sub, notes=body.notes)
    return await CHECK_INS(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )


@router.post(
    "/loaners/{serial}/retire",
    response_model=LoanerPublic,
    tags=["loaners"],
    summary="Take a loaner out of the pool for good",
    description="Only a unit at a location (not out with a customer) can be retired.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        described={404: "No such loaner", 409: "Out with a customer, or retired"},
    ),
)
async def retire(
    serial: Serial,
    request: Request,
    runtime: RuntimeDep,
    principal: InventoryAdmin,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    return await RETIREMENTS(
        runtime, request, principal=principal.sub, key=idempotency_key, command=Retire(serial)
    )


@router.get(
    "/loaners",
    response_model=Page[LoanerPublic],
    tags=["loaners"],
    summary="The loaner pool, oldest first",
    description="Each unit with the loan it is out on now. `status=overdue`: out past its "
    "due-back time. `ticket_id`: the units out to that ticket now.",
)
async def list_loaners(
    runtime: RuntimeDep,
    principal: LoanerReader,
    ticket_id: UUID | None = None,
    status: LoanerFilter | None = None,
    model: Annotated[str | None, Query(max_length=100)] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Any:
    async with runtime.uow() as uow:
        rows = await handlers.list_loaners(
            uow,
            after=decode_position_of(cursor, _serial),
            limit=limit,
            ticket_id=ticket_id,
            status=status.value if status else None,
            model=model,
        )
    return page_of(
        [LoanerPublic.model_validate(r) for r in rows],
        limit,
        key=lambda x: (x.created_at.isoformat(), x.serial),
    )


def _serial(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("the pool is listed by (registered at, serial)")
    return value


@router.get(
    "/loaners/due",
    response_model=list[LoanerDuePublic],
    tags=["loaners"],
    summary="Tickets owed a loaner (IV-2), oldest first",
    description="A ticket whose repair clock breached is owed one loaner: `waiting` until a "
    "unit of its model or a similar one is free, then `out` with the loan's id.",
)
async def list_due(
    runtime: RuntimeDep,
    principal: LoanerReader,
    status: DueStatus | None = None,
    ticket_id: UUID | None = None,
) -> Any:
    async with runtime.uow() as uow:
        return await handlers.loaners_due(
            uow, status=status.value if status else None, ticket_id=ticket_id
        )
