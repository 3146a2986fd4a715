"""Dispatching over HTTP, for the team lead: why each engineer, the board, reassignment."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Request
from fastapi.responses import JSONResponse

from services.dispatch.access import BoardReader, DispatchAdmin
from services.dispatch.assignments.schemas import AssignmentPublic
from services.dispatch.dispatching import handlers
from services.dispatch.dispatching.commands import Reassign
from services.dispatch.dispatching.schemas import Board, DecisionPublic, ReassignBody
from shared.http.commands import CommandEndpoint
from shared.http.idempotency import IdempotencyKey
from shared.http.problems import BODY_PROBLEMS, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

REASSIGN = CommandEndpoint(
    "dispatch.reassign",
    handlers.reassign,
    render=AssignmentPublic.model_validate,
    status_code=201,
)


@router.get(
    "/tickets/{ticket_id}/dispatch",
    response_model=list[DecisionPublic],
    tags=["dispatching"],
    summary="Why these engineers: every decision on the ticket, newest first",
    description="Each decision lists every engineer with the ticket's skill: each filter "
    "(skill, active, capacity, region, time, excluded) passed or failed with its detail, and "
    "for the eligible the components of their rank (resident, within the on-site terms, load, "
    "seniority, travel). Engineers without the skill were not weighed.",
    responses=problem_responses(404),
)
async def explain(
    ticket_id: UUID,
    runtime: RuntimeDep,
    principal: BoardReader,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Any:
    async with runtime.uow() as uow:
        return await handlers.explain(uow, ticket_id, limit=limit)


@router.post(
    "/tickets/{ticket_id}/reassign",
    status_code=201,
    response_model=AssignmentPublic,
    tags=["dispatching"],
    summary="Send another engineer in place of the one in the role",
    description="The engineer now in the role (lead by default) is withdrawn with the reason, "
    "and the named engineer is assigned; the decision records every candidate's verdict beside "
    "the lead's choice. Send an Idempotency-Key to retry safely.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        422,
        described={
            404: "No such ticket",
            409: "The ticket is not open, or the engineer is already on it",
            422: "No such engineer",
        },
    ),
)
async def reassign(
    ticket_id: UUID,
    body: ReassignBody,
    request: Request,
    runtime: RuntimeDep,
    principal: DispatchAdmin,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = Reassign(ticket_id, body.engineer_id, body.reason, body.role, by=principal.sub)
    return await REASSIGN(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )


@router.get(
    "/board",
    response_model=Board,
    tags=["dispatching"],
    summary="The team lead's board: open work by status and age, unassigned tickets, load",
)
async def board(
    runtime: RuntimeDep,
    principal: BoardReader,
    limit: Annotated[int, Query(ge=1, le=500, description="Rows per list at most")] = 200,
) -> Any:
    async with runtime.uow() as uow:
        return await handlers.board(uow, limit=limit)
