"""Locations over HTTP: where stock is kept, and where it is (nearest stock)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import JSONResponse

from services.inventory.locations import handlers
from services.inventory.locations.commands import RegisterLocation
from services.inventory.locations.rules import LocationKind, LocationNotFound
from services.inventory.locations.schemas import NAME_LENGTH, LocationCreate, LocationPublic
from services.inventory.parts.api import InventoryAdmin, StockReader
from shared.commands import Created, one_at_a_time
from shared.db import UnitOfWork
from shared.http.creation import CreateEndpoint
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import (
    DEFAULT_LIMIT,
    Cursor,
    Limit,
    Page,
    decode_key,
    is_text,
    page_of,
)
from shared.http.problems import BODY_PROBLEMS, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()


async def _register(uow: UnitOfWork, body: LocationCreate) -> Created:
    return await handlers.register_location(
        uow, RegisterLocation(body.name, body.kind, body.latitude, body.longitude)
    )


LOCATIONS = CreateEndpoint(
    "locations",
    one_at_a_time(_register),
    LocationPublic.model_validate,
    location=lambda loc: f"/v1/locations/{loc['id']}",
)


@router.post(
    "/locations",
    status_code=201,
    response_model=LocationPublic,
    tags=["locations"],
    summary="Register a location stock is kept at",
    description="Headquarters, a regional office or an on-site depot, with where it is. Names "
    "are unique. Send an Idempotency-Key to retry safely.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        409,
        described={409: "Name already taken, or the Idempotency-Key is still in progress"},
    ),
)
async def register_location(
    body: LocationCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: InventoryAdmin,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await LOCATIONS(
        runtime, request, principal=principal.sub, key=idempotency_key, body=body
    )


@router.get(
    "/locations",
    response_model=Page[LocationPublic],
    tags=["locations"],
    summary="The locations, by name",
    description="Page on with `next_cursor`.",
)
async def list_locations(
    runtime: RuntimeDep,
    principal: StockReader,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    kind: LocationKind | None = None,
) -> Any:
    after = _name_after(cursor)
    async with runtime.uow() as uow:
        rows = await handlers.list_locations(
            uow, after=after, limit=limit, kind=kind.value if kind else None
        )
    return page_of([LocationPublic.model_validate(r) for r in rows], limit, key=lambda x: (x.name,))


def _name_after(cursor: str | None) -> str | None:
    """The name a page of locations ends at, from the `next_cursor` it gave out."""
    return decode_key(cursor, is_text(_storable))


def _storable(name: str) -> bool:
    try:
        name.encode()
    except UnicodeEncodeError:
        return False
    return 0 < len(name) <= NAME_LENGTH and "\x00" not in name


@router.get(
    "/locations/{location_id}",
    response_model=LocationPublic,
    tags=["locations"],
    summary="A location",
    responses=problem_responses(404),
)
async def get_location(location_id: UUID, runtime: RuntimeDep, principal: StockReader) -> Any:
    async with runtime.uow() as uow:
        location = await handlers.get_location(uow, location_id)
    if location is None:
        raise LocationNotFound(f"no location {location_id}", location_id=str(location_id))
    return location
