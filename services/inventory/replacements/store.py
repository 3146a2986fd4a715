"""Every SQL statement about replacement orders (IV-3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from asyncpg import Connection

from shared.sql import Filters

COLUMNS = (
    "id, serial, model, manufacturer, customer_id, site_id, earlier_ticket_id, ticket_id, "
    "status, ordered_at"
)
# uq_replacements_failure: one order per repeat failure, however often the fact is delivered.
_ORDER = f"""
INSERT INTO inventory.replacements (id, serial, model, manufacturer, customer_id, site_id,
    earlier_ticket_id, ticket_id, status, ordered_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'ordered', $9)
ON CONFLICT ON CONSTRAINT uq_replacements_failure DO NOTHING RETURNING {COLUMNS}"""
_LIST = f"SELECT {COLUMNS} FROM inventory.replacements"
_LOCK = f"{_LIST} WHERE id = $1 FOR UPDATE"
_MOVE = f"UPDATE inventory.replacements SET status = $2 WHERE id = $1 RETURNING {COLUMNS}"


async def order(conn: Connection, replacement: dict[str, Any]) -> dict[str, Any] | None:
    """The new order; None when this repeat failure has one already."""
    row = await conn.fetchrow(
        _ORDER,
        replacement["id"],
        replacement["serial"],
        replacement["model"],
        replacement["manufacturer"],
        replacement["customer_id"],
        replacement["site_id"],
        replacement["earlier_ticket_id"],
        replacement["ticket_id"],
        replacement["ordered_at"],
    )
    return None if row is None else dict(row)


async def lock(conn: Connection, replacement_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_LOCK, replacement_id)
    return None if row is None else dict(row)


async def move(conn: Connection, replacement_id: UUID, status: str) -> dict[str, Any]:
    return dict(await conn.fetchrow(_MOVE, replacement_id, status))


async def page(
    conn: Connection,
    *,
    serial: str | None,
    status: str | None,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Oldest first, `limit + 1` rows so the caller can tell whether more follow."""
    filters = Filters().add_if(serial, "serial = {}").add_if(status, "status = {}")
    if after is not None:
        filters.add("(ordered_at, id) > ({}, {})", *after)
    records = await conn.fetch(
        f"{_LIST} {filters.where()} ORDER BY ordered_at, id LIMIT {filters.param(limit + 1)}",
        *filters.args,
    )
    return [dict(r) for r in records]
