"""Assignments over HTTP: engineers' phones pull and accept their work."""

from __future__ import annotations

import hashlib
import time
from typing import Annotated, Any
from uuid import UUID

from fastapi import Header, Query, Request, Response
from fastapi.responses import JSONResponse

from services.dispatch.access import (
    AssignmentReader,
    AssignmentWriter,
    engineer_id_of,
    own_engineer_id,
)
from services.dispatch.assignments import handlers
from services.dispatch.assignments.commands import AcceptAssignment
from services.dispatch.assignments.lifecycle import AssignmentStatus
from services.dispatch.assignments.schemas import AssignmentPublic
from shared.http.commands import CommandEndpoint
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, decode_position, page_of
from shared.http.problems import BODY_PROBLEMS, Problem, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

# Every state-changing POST: Idempotency-Key, group commit, the event in the same commit.
ACCEPT = CommandEndpoint(
    "assignments.accept", handlers.accept_assignment, render=AssignmentPublic.model_validate
)


@router.get(
    "/tickets/{ticket_id}/assignments",
    response_model=list[AssignmentPublic],
    tags=["assignments"],
    summary="A ticket's assignments (engineers see only their own)",
)
async def ticket_assignments(
    ticket_id: UUID, runtime: RuntimeDep, principal: AssignmentReader
) -> Any:
    async with runtime.uow() as uow:
        return await handlers.ticket_assignments(
            uow, ticket_id, engineer_id=own_engineer_id(principal)
        )


_ETAG = {
    "description": "Names this page's content; send it back as If-None-Match",
    "schema": {"type": "string"},
}


@router.get(
    "/me/assignments",
    response_model=Page[AssignmentPublic],
    tags=["assignments"],
    summary="The calling engineer's assignments, oldest first",
    description="Send the last ETag as If-None-Match: an unchanged list answers 304 with "
    "no body. With `wait` (seconds) as well, the answer is held until the list "
    "changes or the wait runs out: a phone learns of new work at once, with "
    "one request a minute.",
    responses={
        200: {"headers": {"ETag": _ETAG}},
        304: {
            "description": "Not modified since the ETag sent; no body",
            "headers": {"ETag": _ETAG},
        },
    },
)
async def my_assignments(
    response: Response,
    runtime: RuntimeDep,
    principal: AssignmentReader,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    status: AssignmentStatus | None = None,
    wait: Annotated[int, Query(ge=0, le=60, description="long-poll seconds")] = 0,
    if_none_match: Annotated[
        str | None,
        Header(alias="If-None-Match", max_length=256, description="The ETag of the last answer"),
    ] = None,
) -> Any:
    engineer_id = engineer_id_of(principal)
    after = decode_position(cursor)
    deadline = time.monotonic() + wait
    while True:
        async with runtime.uow() as uow:
            rows = await handlers.engineer_assignments(
                uow, engineer_id, after=after, limit=limit, status=status.value if status else None
            )
        page = page_of(
            [AssignmentPublic.model_validate(r) for r in rows],
            limit,
            key=lambda a: (a.assigned_at.isoformat(), str(a.id)),
        )
        # Phones on bad networks poll: an unchanged list costs them a header, not a body.
        etag = '"' + hashlib.sha256(page.model_dump_json().encode()).hexdigest()[:32] + '"'
        if if_none_match != etag:
            response.headers["ETag"] = etag
            return page
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return Response(status_code=304, headers={"ETag": etag})
        # Woken by a commit in this process; every second at most, look anyway (another replica).
        await runtime.changes.wait(handlers.engineer_key(engineer_id), min(remaining, 1.0))


@router.get(
    "/assignments/{assignment_id}",
    response_model=AssignmentPublic,
    tags=["assignments"],
    summary="An assignment (engineers: only their own)",
    responses=problem_responses(404),
)
async def get_assignment(
    assignment_id: UUID, runtime: RuntimeDep, principal: AssignmentReader
) -> Any:
    own = own_engineer_id(principal)
    async with runtime.uow() as uow:
        row = await handlers.get_assignment(uow, assignment_id)
    if row is None or own not in (None, row["engineer_id"]):
        raise Problem(404, "not-found", f"no assignment {assignment_id}")
    return row


@router.post(
    "/assignments/{assignment_id}/accept",
    response_model=AssignmentPublic,
    tags=["assignments"],
    summary="Accept an assignment; accepting again is a harmless retry",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        described={
            404: "No such assignment for this engineer",
            409: "The assignment can no longer be accepted",
        },
    ),
)
async def accept_assignment(
    assignment_id: UUID,
    request: Request,
    runtime: RuntimeDep,
    principal: AssignmentWriter,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    engineer_id = None if principal.has("dispatch:admin") else engineer_id_of(principal)
    command = AcceptAssignment(assignment_id, engineer_id)
    return await ACCEPT(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command
    )
