"""Every SQL statement about the parts catalogue, as constants."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
from asyncpg import Connection

from services.inventory.locations.rules import UnknownLocation
from services.inventory.parts.rules import PartExists, PartNotFound
from shared.sql import Filters

COLUMNS = (
    "part_number, manufacturer, description, models, original, condition, unit_cost, "
    "created_at, updated_at"
)
_INSERT = (
    "INSERT INTO inventory.parts (part_number, manufacturer, description, models, original, "
    "condition, unit_cost, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) "
    f"RETURNING {COLUMNS}"
)
_GET = f"SELECT {COLUMNS} FROM inventory.parts WHERE part_number = $1"
_LOCK = f"{_GET} FOR UPDATE"
_UPDATE = (
    "UPDATE inventory.parts SET description = $2, models = $3, original = $4, condition = $5, "
    f"unit_cost = $6, updated_at = $7 WHERE part_number = $1 RETURNING {COLUMNS}"
)
_LIST = f"SELECT {COLUMNS} FROM inventory.parts"
_UPSERT_REORDER_POINT = """
INSERT INTO inventory.reorder_points (part_number, location_id, reorder_point)
VALUES ($1, $2, $3)
ON CONFLICT (part_number, location_id) DO UPDATE SET reorder_point = EXCLUDED.reorder_point
RETURNING part_number, location_id, reorder_point"""


async def insert(
    conn: Connection,
    part_number: str,
    manufacturer: str,
    description: str,
    models: list[str],
    original: bool,
    condition: str,
    unit_cost: Decimal,
    at: datetime,
) -> dict[str, Any]:
    try:
        row = await conn.fetchrow(
            _INSERT,
            part_number,
            manufacturer,
            description,
            models,
            original,
            condition,
            unit_cost,
            at,
        )
    except asyncpg.UniqueViolationError:
        raise PartExists(
            f"part {part_number} is already registered", part_number=part_number
        ) from None
    return dict(row)


async def get(conn: Connection, part_number: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(_GET, part_number)
    return None if row is None else dict(row)


async def lock(conn: Connection, part_number: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(_LOCK, part_number)
    return None if row is None else dict(row)


async def update(
    conn: Connection, part_number: str, fields: dict[str, Any], at: datetime
) -> dict[str, Any]:
    row = await conn.fetchrow(
        _UPDATE,
        part_number,
        fields["description"],
        fields["models"],
        fields["original"],
        fields["condition"],
        fields["unit_cost"],
        at,
    )
    return dict(row)


async def page(
    conn: Connection,
    *,
    after: str | None,
    limit: int,
    manufacturer: str | None,
    model: str | None,
) -> list[dict[str, Any]]:
    """By part number, `limit + 1` rows so the caller can tell whether more follow."""
    filters = (
        Filters()
        .add_if(manufacturer, "manufacturer = {}")
        .add_if(model, "{} = ANY(models)")
        .add_if(after, "part_number > {}")
    )
    records = await conn.fetch(
        f"{_LIST} {filters.where()} ORDER BY part_number LIMIT {filters.param(limit + 1)}",
        *filters.args,
    )
    return [dict(r) for r in records]


async def set_reorder_point(
    conn: Connection, part_number: str, location_id: UUID, reorder_point: int
) -> dict[str, Any]:
    try:
        row = await conn.fetchrow(_UPSERT_REORDER_POINT, part_number, location_id, reorder_point)
    except asyncpg.ForeignKeyViolationError as exc:
        if "location" in (exc.constraint_name or ""):
            raise UnknownLocation(
                f"no location {location_id}", location_id=str(location_id)
            ) from None
        raise PartNotFound(f"no part {part_number}", part_number=part_number) from None
    return dict(row)
