"""Assignments over HTTP: the engineer's phone pulls its work and reports each step (DS-3).

Every step is a command with an optional Idempotency-Key, answered after commit. A phone
that was offline uploads its queue to `POST /v1/me/actions` instead; an action's key means
the same there as in the Idempotency-Key of its own route.
"""

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
from services.dispatch.assignments import handlers, offline
from services.dispatch.assignments.commands import ApplyActions, QueuedAction
from services.dispatch.assignments.lifecycle import PHONE_MOVES, AssignmentStatus, Move
from services.dispatch.assignments.schemas import (
    AcceptBody,
    ActionBatch,
    ActionBody,
    ActionPublic,
    ActionResults,
    AssignmentPublic,
    CompleteBody,
    DeclineBody,
    MyAssignment,
    PositionPublic,
    PositionReport,
    TravelBody,
)
from shared.auth import Principal
from shared.http.commands import CommandEndpoint
from shared.http.idempotency import IdempotencyKey, request_hash, scoped_key
from shared.http.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, decode_position, page_of
from shared.http.problems import BODY_PROBLEMS, Problem, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

# Every state-changing POST: Idempotency-Key, group commit, the event in the same commit.
# One endpoint per step: its name scopes the keys, here and in an offline batch alike.
ACTIONS = {
    how: CommandEndpoint(
        f"assignments.{how.value}", handlers.act, render=AssignmentPublic.model_validate
    )
    for how in PHONE_MOVES
}
# A batch holds up to 200 actions: a few batches to a transaction keep it short.
OFFLINE = CommandEndpoint("me.actions", offline.apply_actions, max_batch=4)
POSITION = CommandEndpoint(
    "me.position", handlers.report_position, render=PositionPublic.model_validate
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
    response_model=Page[MyAssignment],
    tags=["phone"],
    summary="The calling engineer's assignments, oldest first, briefed for offline work",
    description="Without `status`, the live ones (assigned, accepted, departed, on_site): "
    "what the phone must carry offline, each with its ticket, site, contact and the parts "
    "held for it or awaited. With "
    "`status`, those in that status only. Send the last ETag as If-None-Match: an "
    "unchanged list answers 304 with no body. With `wait` (seconds) as well, the answer "
    "is held until the list changes or the wait runs out: a phone learns of new work at "
    "once, with one request a minute. A part reserved for a job's ticket, used, released or "
    "backordered changes the list too.",
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
    status: Annotated[
        AssignmentStatus | None, Query(description="Only this status; default: the live ones")
    ] = None,
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
            [MyAssignment.model_validate(r) for r in rows],
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


@router.get(
    "/assignments/{assignment_id}/history",
    response_model=list[ActionPublic],
    tags=["assignments"],
    summary="Each step the phone reported, in the order they happened on it",
    responses=problem_responses(404),
)
async def assignment_history(
    assignment_id: UUID, runtime: RuntimeDep, principal: AssignmentReader
) -> Any:
    own = own_engineer_id(principal)
    async with runtime.uow() as uow:
        row = await handlers.get_assignment(uow, assignment_id)
        if row is None or own not in (None, row["engineer_id"]):
            raise Problem(404, "not-found", f"no assignment {assignment_id}")
        return await handlers.history(uow, assignment_id)


def acting_for(principal: Principal) -> UUID | None:
    """The engineer whose assignments these are; None: a dispatcher acts on anyone's behalf."""
    return None if principal.has("dispatch:admin") else engineer_id_of(principal)


_ACTION_PROBLEMS = problem_responses(
    *BODY_PROBLEMS,
    404,
    409,
    422,
    described={
        404: "No such assignment for this engineer",
        409: "The assignment's status does not allow this step: `current_status` and `allowed` "
        "say what it is and what it may do",
        422: "A field is missing or invalid, or `occurred_at` lies outside the window the "
        "server believes (a week back, five minutes ahead)",
    },
)
_RETRY = (
    " A step the assignment has already taken is a retry: answered 200 with the assignment "
    "as it is. A step it has gone past (a `depart` uploaded after the `arrive` that followed "
    "it) is recorded at its own time and changes no status."
)


def _step_route(how: Move, body_type: type[ActionBody], summary: str, description: str) -> None:
    """`POST /v1/assignments/{id}/<step>`: the five steps differ only in their body and words."""

    async def act(
        assignment_id: UUID,
        body: ActionBody,
        request: Request,
        runtime: RuntimeDep,
        principal: AssignmentWriter,
        idempotency_key: IdempotencyKey = None,
    ) -> JSONResponse:
        command = body.command(
            assignment_id, how, engineer_id=acting_for(principal), by=principal.sub
        )
        return await ACTIONS[how](
            runtime,
            request,
            principal=principal.sub,
            key=idempotency_key,
            command=command,
            body=body,
        )

    # FastAPI reads the body's model from the annotation: each step's own.
    act.__annotations__["body"] = body_type
    act.__name__ = f"{how.value}_assignment"
    router.post(
        f"/assignments/{{assignment_id}}/{how.value}",
        name=f"assignments.{how.value}",
        response_model=AssignmentPublic,
        tags=["phone"],
        summary=summary,
        description=description,
        responses=_ACTION_PROBLEMS,
    )(act)


_step_route(
    Move.accept, AcceptBody, "Accept the job", "The response clock stops at `occurred_at`." + _RETRY
)
_step_route(
    Move.decline,
    DeclineBody,
    "Turn the job down, saying why: the next candidate gets it",
    "Only before setting off (assigned or accepted). Ends the assignment.",
)
_step_route(
    Move.depart,
    TravelBody,
    "Set off for the site",
    "With the phone's position when it has one." + _RETRY,
)
_step_route(
    Move.arrive,
    TravelBody,
    "Arrive on site: the on-site clock stops at `occurred_at`",
    "From accepted (a resident engineer need not set off) or departed." + _RETRY,
)
_step_route(
    Move.complete,
    CompleteBody,
    "Finish the work with the service report: the lead's completion resolves the ticket",
    "Only on site. Ends the assignment." + _RETRY,
)


@router.post(
    "/me/actions",
    response_model=ActionResults,
    tags=["phone"],
    summary="Upload what the phone queued offline: each action answered on its own",
    description="Up to 200 actions (more, or none, is a 422 naming `actions`; a longer "
    "queue goes in turns). They are applied in `occurred_at` order, ties in the order "
    "sent, so a `depart` queued behind its `arrive` still lands first; each is answered, "
    "in the order sent: `applied`, `replayed` (its key was used before, alone or in a "
    "batch: the answer then) or `refused` (it changed nothing; `problem` says why, and its "
    "key may be used again). Each action's `key` is its own idempotency key and means the "
    "same as the Idempotency-Key header of the action's own route.",
    responses=problem_responses(*BODY_PROBLEMS, 409, 422),
)
async def upload_actions(
    body: ActionBatch,
    request: Request,
    runtime: RuntimeDep,
    principal: AssignmentWriter,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    engineer_id = acting_for(principal)
    queued = []
    for item in body.actions:
        how = Move(item.action)
        # Keyed and fingerprinted as the step's own route keys it: one action, either way in.
        endpoint = ACTIONS[how]
        path = request.url_for(endpoint.name, assignment_id=str(item.assignment_id)).path
        queued.append(
            QueuedAction(
                key=scoped_key(endpoint.name, path, item.key),
                phone_key=item.key,
                fingerprint=request_hash("POST", path, item.body()),
                path=path,
                action=item.command(
                    item.assignment_id, how, engineer_id=engineer_id, by=principal.sub
                ),
            )
        )
    command = ApplyActions(principal=principal.sub, actions=tuple(queued))
    return await OFFLINE(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )


@router.post(
    "/me/position",
    response_model=PositionPublic,
    tags=["phone"],
    summary="Where the phone is: the travel estimates start here",
    description="The newest phone time wins: a position older than the one kept is "
    "answered with the kept one (`applied` false).",
    responses=problem_responses(*BODY_PROBLEMS, 404, 409, described={404: "No such engineer"}),
)
async def report_position(
    body: PositionReport,
    request: Request,
    runtime: RuntimeDep,
    principal: AssignmentWriter,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = body.command(engineer_id_of(principal))
    return await POSITION(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )
