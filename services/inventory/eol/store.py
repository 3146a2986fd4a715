"""Every SQL statement about end-of-life announcements (IV-5), and the part they name."""

from __future__ import annotations

from typing import Any

from asyncpg import Connection

from shared.sql import Filters

COLUMNS = (
    "id, manufacturer, part_number, model, models, end_of_production, late_notice, "
    "announced_at, announced_by"
)
_PART = "SELECT part_number, manufacturer, models FROM inventory.parts WHERE part_number = $1"
_INSERT = f"""
INSERT INTO inventory.eol_announcements (id, manufacturer, part_number, model, models,
    end_of_production, late_notice, announced_at, announced_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"""
_LIST = f"SELECT {COLUMNS} FROM inventory.eol_announcements"


async def part(conn: Connection, part_number: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(_PART, part_number)
    return None if row is None else dict(row)


async def insert(conn: Connection, announcement: dict[str, Any]) -> dict[str, Any]:
    row = await conn.fetchrow(
        _INSERT,
        announcement["id"],
        announcement["manufacturer"],
        announcement["part_number"],
        announcement["model"],
        announcement["models"],
        announcement["end_of_production"],
        announcement["late_notice"],
        announcement["announced_at"],
        announcement["announced_by"][:200],
    )
    return dict(row)


async def listed(conn: Connection, *, manufacturer: str | None, limit: int) -> list[dict[str, Any]]:
    """Newest first."""
    filters = Filters().add_if(manufacturer, "manufacturer = {}")
    records = await conn.fetch(
        f"{_LIST} {filters.where()} ORDER BY announced_at DESC, id LIMIT {filters.param(limit)}",
        *filters.args,
    )
    return [dict(r) for r in records]
