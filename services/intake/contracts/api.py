"""Contracts over HTTP: body -> command -> handler, and the answer back."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Request
from fastapi.responses import JSONResponse

from services.intake.access import Admin, TicketReader
from services.intake.contracts import handlers, rules
from services.intake.contracts.commands import RegisterContract, UpdateContract
from services.intake.contracts.rules import (
    Contract,
    LadderContact,
    StepLimitOverride,
    TargetOverride,
    Waiver,
)
from services.intake.contracts.schemas import (
    ContractCreate,
    ContractPatch,
    ContractPublic,
    LadderContactBody,
    StepLimitBody,
    TargetOverrideBody,
    WaiverBody,
)
from shared.db import UnitOfWork
from shared.http.creation import Created, CreateEndpoint, one_at_a_time
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, decode_position, page_of
from shared.http.problems import BODY_PROBLEMS, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()


def _targets(body: dict[Any, TargetOverrideBody]) -> dict[rules.Priority, TargetOverride]:
    return {
        rules.Priority(p): TargetOverride(t.response_minutes, t.restore_minutes)
        for p, t in body.items()
    }


def _step_limits(body: dict[Any, StepLimitBody]) -> dict[rules.Priority, StepLimitOverride]:
    return {
        rules.Priority(p): StepLimitOverride(s.accept_minutes, s.arrive_minutes, s.resolve_minutes)
        for p, s in body.items()
    }


def _waiver(body: WaiverBody | None) -> Waiver | None:
    return None if body is None else Waiver(body.signed_by, body.signed_at, body.reference)


def _ladder(body: list[LadderContactBody]) -> tuple[LadderContact, ...]:
    return tuple(LadderContact(s.level, s.name, s.email, s.phone) for s in body)


def render(contract: Contract) -> dict[str, Any]:
    return asdict(contract) | {
        "effective_targets": {
            p.value: asdict(t) for p, t in rules.effective_targets(contract.targets).items()
        }
    }


async def _register(uow: UnitOfWork, body: ContractCreate) -> Created:
    contract, events = await handlers.register_contract(
        uow,
        RegisterContract(
            customer_id=body.customer_id,
            coverage=body.coverage,
            emergency_onsite_7x24=body.emergency_onsite_7x24,
            onsite_minutes=body.onsite_minutes,
            calendar=body.calendar,
            warranty_start=body.warranty_start,
            warranty_end=body.warranty_end,
            targets=_targets(body.targets),
            step_limits=_step_limits(body.step_limits),
            originals_waiver=_waiver(body.originals_waiver),
            resident_engineer_id=body.resident_engineer_id,
            ladder=_ladder(body.ladder),
        ),
    )
    return render(contract), list(events)


CONTRACTS = CreateEndpoint(
    "contracts",
    one_at_a_time(_register),
    ContractPublic.model_validate,
    location=lambda c: f"/v1/contracts/{c['id']}",
)

_CREATE_ERRORS = problem_responses(
    *BODY_PROBLEMS,
    409,
    422,
    described={
        409: "A request with this Idempotency-Key is still in progress",
        422: "Invalid body, unknown customer, warranty ending before it starts, a restore target before its "
        "response target (`field` names it), or Idempotency-Key reused with another body",
    },
)


@router.post(
    "/contracts",
    status_code=201,
    response_model=ContractPublic,
    tags=["contracts"],
    summary="Register a service contract",
    responses=_CREATE_ERRORS,
    description="IN-10/DS-4/DS-5/ES-3: coverage, on-site terms, targets, step limits, calendar, warranty, "
    "originals waiver, resident engineer and escalation ladder. Send an Idempotency-Key to retry safely.",
)
async def create_contract(
    body: ContractCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: Admin,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await CONTRACTS(
        runtime, request, principal=principal.sub, key=idempotency_key, body=body
    )


@router.get(
    "/contracts/{contract_id}",
    response_model=ContractPublic,
    tags=["contracts"],
    summary="A contract",
    responses=problem_responses(404),
)
async def get_contract(contract_id: UUID, runtime: RuntimeDep, principal: TicketReader) -> Any:
    async with runtime.uow() as uow:
        return render(await handlers.get_contract(uow, contract_id))


@router.get(
    "/contracts",
    response_model=Page[ContractPublic],
    tags=["contracts"],
    summary="Contracts, oldest first",
)
async def list_contracts(
    runtime: RuntimeDep,
    principal: TicketReader,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    customer_id: Annotated[UUID | None, Query(description="Only this customer's")] = None,
) -> Any:
    after = decode_position(cursor)
    async with runtime.uow() as uow:
        contracts = await handlers.list_contracts(
            uow, customer_id=customer_id, after=after, limit=limit
        )
    return page_of(
        [render(c) for c in contracts],
        limit,
        key=lambda c: (c["created_at"].isoformat(), str(c["id"])),
    )


@router.patch(
    "/contracts/{contract_id}",
    response_model=ContractPublic,
    tags=["contracts"],
    summary="Change a contract",
    responses=problem_responses(*BODY_PROBLEMS, 404),
    description="Only the fields sent change (`targets`, `step_limits` and `ladder` whole); `contract.updated` "
    "carries the whole new contract.",
)
async def patch_contract(
    contract_id: UUID, body: ContractPatch, runtime: RuntimeDep, principal: Admin
) -> Any:
    changes = body.changes()
    if "targets" in changes:
        changes["targets"] = _targets(body.targets or {})
    if "step_limits" in changes:
        changes["step_limits"] = _step_limits(body.step_limits or {})
    if "originals_waiver" in changes:
        changes["originals_waiver"] = _waiver(body.originals_waiver)
    if "ladder" in changes:
        changes["ladder"] = _ladder(body.ladder or [])
    async with runtime.uow() as uow:
        contract = await handlers.update_contract(
            uow, UpdateContract(contract_id=contract_id, changes=changes)
        )
        await uow.commit()
    return render(contract)
