"""Locations: headquarters, regional offices and on-site depots. Glue only; never commit."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from services.inventory.locations import store
from services.inventory.locations.commands import RegisterLocation
from services.inventory.locations.rules import UnknownLocation
from shared.commands import Created
from shared.db import UnitOfWork


async def register_location(uow: UnitOfWork, command: RegisterLocation) -> Created:
    row = await store.insert(
        uow.conn,
        uuid.uuid4(),
        command.name,
        command.kind.value,
        command.latitude,
        command.longitude,
        uow.now,
    )
    return row, []


async def get_location(uow: UnitOfWork, location_id: UUID) -> dict[str, Any] | None:
    return await store.get(uow.conn, location_id)


async def known_location(uow: UnitOfWork, location_id: UUID) -> dict[str, Any]:
    """The location a request names; UnknownLocation (404) when there is none."""
    location = await store.get(uow.conn, location_id)
    if location is None:
        raise UnknownLocation(f"no location {location_id}", location_id=str(location_id))
    return location


async def list_locations(
    uow: UnitOfWork, *, after: str | None, limit: int, kind: str | None = None
) -> list[dict[str, Any]]:
    return await store.page(uow.conn, after=after, limit=limit, kind=kind)
