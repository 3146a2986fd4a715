"""Replacement orders over HTTP (IV-3): read-only, they come from repeat failures."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Request, Security

from services.inventory.replacements import handlers
from services.inventory.replacements.commands import DeliverReplacement
from services.inventory.replacements.rules import ReplacementStatus
from services.inventory.replacements.schemas import ReplacementPublic
from shared.auth import Principal, authenticate
from shared.http.commands import CommandEndpoint
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, decode_position, page_of
from shared.http.problems import BODY_PROBLEMS, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

ReplacementReader = Annotated[
    Principal, Security(authenticate, scopes=["inventory:admin", "ops:read"])
]
InventoryAdmin = Annotated[Principal, Security(authenticate, scopes=["inventory:admin"])]

DELIVERIES: CommandEndpoint[DeliverReplacement] = CommandEndpoint(
    "replacement-deliveries", handlers.deliver, render=ReplacementPublic.model_validate
)


@router.post(
    "/replacements/{replacement_id}/deliver",
    response_model=ReplacementPublic,
    tags=["replacements"],
    summary="Record that the new unit reached the customer",
    responses=problem_responses(
        *BODY_PROBLEMS, 404, 409, described={404: "No such replacement", 409: "Delivered already"}
    ),
)
async def deliver(
    replacement_id: UUID,
    request: Request,
    runtime: RuntimeDep,
    principal: InventoryAdmin,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    return await DELIVERIES(
        runtime,
        request,
        principal=principal.sub,
        key=idempotency_key,
        command=DeliverReplacement(replacement_id),
    )


@router.get(
    "/replacements",
    response_model=Page[ReplacementPublic],
    tags=["replacements"],
    summary="Replacement orders, oldest first",
    description="IV-3: a serial that failed in hardware twice in warranty gets a new unit of "
    "the same model, one order per repeat failure.",
)
async def list_replacements(
    runtime: RuntimeDep,
    principal: ReplacementReader,
    serial: Annotated[str | None, Query(max_length=100)] = None,
    status: ReplacementStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Any:
    position = decode_position(cursor)
    async with runtime.uow() as uow:
        rows = await handlers.list_replacements(
            uow,
            serial=serial,
            status=status.value if status else None,
            after=position,
            limit=limit,
        )
    return page_of(
        [ReplacementPublic.model_validate(r) for r in rows],
        limit,
        key=lambda r: (r.ordered_at.isoformat(), str(r.id)),
    )
