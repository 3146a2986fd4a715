"""Replacement orders over HTTP (IV-3): read-only, they come from repeat failures."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Security

from services.inventory.replacements import handlers
from services.inventory.replacements.schemas import ReplacementPublic, ReplacementStatus
from shared.auth import Principal, authenticate
from shared.http.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, decode_position, page_of
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

ReplacementReader = Annotated[
    Principal, Security(authenticate, scopes=["inventory:admin", "ops:read"])
]


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
    after: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Any:
    position = decode_position(after)
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
