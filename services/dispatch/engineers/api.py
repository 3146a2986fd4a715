"""Engineers over HTTP, for the support team."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request

from services.dispatch.access import AssignmentReader, DispatchAdmin, own_engineer_id
from services.dispatch.engineers import handlers
from services.dispatch.engineers.commands import RegisterEngineer
from services.dispatch.engineers.schemas import EngineerCreate, EngineerPublic
from shared.db import UnitOfWork
from shared.http.creation import CreateEndpoint, one_at_a_time
from shared.http.idempotency import IdempotencyKey
from shared.http.problems import BODY_PROBLEMS, Problem, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()


async def _register(uow: UnitOfWork, body: EngineerCreate) -> handlers.Created:
    command = RegisterEngineer(name=body.name, skills=frozenset(body.skills), region=body.region)
    return await handlers.register_engineer(uow, command)


ENGINEERS = CreateEndpoint(
    "engineers",
    one_at_a_time(_register),
    EngineerPublic.model_validate,
    location=lambda e: f"/v1/engineers/{e['id']}",
)


@router.post(
    "/engineers",
    status_code=201,
    response_model=EngineerPublic,
    tags=["engineers"],
    summary="Register an engineer with skills and region",
    responses=problem_responses(
        *BODY_PROBLEMS,
        409,
        described={409: "A request with this Idempotency-Key is still in progress"},
    ),
)
async def create_engineer(
    body: EngineerCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: DispatchAdmin,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    return await ENGINEERS(
        runtime, request, principal=principal.sub, key=idempotency_key, body=body
    )


@router.get(
    "/engineers/{engineer_id}",
    response_model=EngineerPublic,
    tags=["engineers"],
    summary="An engineer",
    responses=problem_responses(404),
)
async def get_engineer(engineer_id: UUID, runtime: RuntimeDep, principal: AssignmentReader) -> Any:
    own = own_engineer_id(principal)
    async with runtime.uow() as uow:
        engineer = (
            await handlers.get_engineer(uow, engineer_id) if own in (None, engineer_id) else None
        )
    if engineer is None:
        raise Problem(404, "not-found", f"no engineer {engineer_id}")
    return engineer
