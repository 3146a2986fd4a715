"""Every SQL statement about locations, as constants."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from asyncpg import Connection

from services.inventory.locations.rules import LocationNameTaken
from shared.sql import Filters

COLUMNS = "id, name, kind, latitude, longitude, created_at"
_INSERT = (
    "INSERT INTO inventory.locations (id, name, kind, latitude, longitude, created_at) "
    f"VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
)
_GET = f"SELECT {COLUMNS} FROM inventory.locations WHERE id = $1"
_LIST = f"SELECT {COLUMNS} FROM inventory.locations"


async def insert(
    conn: Connection,
    location_id: UUID,
    name: str,
    kind: str,
    latitude: float,
    longitude: float,
    at: datetime,
) -> dict[str, Any]:
    try:
        row = await conn.fetchrow(_INSERT, location_id, name, kind, latitude, longitude, at)
    except asyncpg.UniqueViolationError:
        raise LocationNameTaken(f"a location is already named {name!r}", name=name) from None
    return dict(row)


async def get(conn: Connection, location_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_GET, location_id)
    return None if row is None else dict(row)


async def page(
    conn: Connection, *, after: str | None, limit: int, kind: str | None
) -> list[dict[str, Any]]:
    """By name (unique), `limit + 1` rows so the caller can tell whether more follow."""
    filters = Filters().add_if(kind, "kind = {}").add_if(after, "name > {}")
    records = await conn.fetch(
        f"{_LIST} {filters.where()} ORDER BY name LIMIT {filters.param(limit + 1)}",
        *filters.args,
    )
    return [dict(r) for r in records]
