"""Engineers over HTTP, for the support team: the roster, and what an engineer may read of it."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Request
from fastapi.responses import JSONResponse

from services.dispatch.access import AssignmentReader, DispatchAdmin, own_engineer_id
from services.dispatch.assignments.decision import Skill
from services.dispatch.engineers import handlers
from services.dispatch.engineers.commands import RegisterEngineer, UpdateEngineer
from services.dispatch.engineers.rules import EngineerStatus, Team
from services.dispatch.engineers.schemas import EngineerCreate, EngineerPatch, EngineerPublic
from shared.db import UnitOfWork
from shared.http.creation import CreateEndpoint, one_at_a_time
from shared.http.fields import Region
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, decode_position, page_of
from shared.http.problems import BODY_PROBLEMS, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()


async def _register(uow: UnitOfWork, body: EngineerCreate) -> handlers.Created:
    return await handlers.register_engineer(uow, RegisterEngineer(body.fields()))


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
    summary="Register an engineer",
    description="Skills and certifications, team and seniority (DS-2), home base, the regions "
    "covered, the working shift (a built-in calendar such as `cn-5x8`, or a weekly shift in a "
    "time zone with several ranges a day), on-call periods for 7x24 emergencies, and capacity "
    "(live assignments at most). Send an Idempotency-Key to retry safely.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        409,
        422,
        described={
            409: "A request with this Idempotency-Key is still in progress",
            422: "Invalid body: an unknown skill, an invalid time zone, overlapping shift ranges",
        },
    ),
)
async def create_engineer(
    body: EngineerCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: DispatchAdmin,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await ENGINEERS(
        runtime, request, principal=principal.sub, key=idempotency_key, body=body
    )


@router.get(
    "/engineers",
    response_model=Page[EngineerPublic],
    tags=["engineers"],
    summary="The roster, oldest first",
)
async def list_engineers(
    runtime: RuntimeDep,
    principal: DispatchAdmin,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    team: Team | None = None,
    status: EngineerStatus | None = None,
    skill: Skill | None = None,
    region: Annotated[Region | None, Query(description="Covers this region")] = None,
) -> Any:
    after = decode_position(cursor)
    async with runtime.uow() as uow:
        rows = await handlers.list_engineers(
            uow,
            after=after,
            limit=limit,
            team=team.value if team else None,
            status=status.value if status else None,
            skill=skill.value if skill else None,
            region=region,
        )
    return page_of(
        [EngineerPublic.model_validate(r) for r in rows],
        limit,
        key=lambda e: (e.created_at.isoformat(), str(e.id)),
    )


@router.get(
    "/engineers/{engineer_id}",
    response_model=EngineerPublic,
    tags=["engineers"],
    summary="An engineer (an engineer may read only themselves)",
    responses=problem_responses(404),
)
async def get_engineer(engineer_id: UUID, runtime: RuntimeDep, principal: AssignmentReader) -> Any:
    own = own_engineer_id(principal)
    async with runtime.uow() as uow:
        engineer = (
            await handlers.get_engineer(uow, engineer_id) if own in (None, engineer_id) else None
        )
    if engineer is None:
        raise handlers.EngineerNotFound(engineer_id)
    return engineer


@router.patch(
    "/engineers/{engineer_id}",
    response_model=EngineerPublic,
    tags=["engineers"],
    summary="Change an engineer",
    description="Only the fields sent change: put an engineer on leave (`status`), move their "
    "shift, add on-call periods, raise their capacity.",
    responses=problem_responses(*BODY_PROBLEMS, 404),
)
async def patch_engineer(
    engineer_id: UUID, body: EngineerPatch, runtime: RuntimeDep, principal: DispatchAdmin
) -> Any:
    async with runtime.uow() as uow:
        engineer = await handlers.update_engineer(
            uow, UpdateEngineer(engineer_id=engineer_id, changes=body.fields())
        )
        await uow.commit()
    return engineer
