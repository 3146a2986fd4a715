"""Every SQL statement about stock and receipts, as constants."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from asyncpg import Connection

from services.inventory.parts.rules import PartNotFound
from services.inventory.stock.rules import StockCounterFull, StockLevel

RECEIPT_COLUMNS = "id, part_number, warehouse, quantity, received_at"
_INSERT_RECEIPT = (
    "INSERT INTO inventory.receipts (id, part_number, warehouse, quantity, "
    f"received_at) VALUES ($1, $2, $3, $4, $5) RETURNING {RECEIPT_COLUMNS}"
)
_ADD_ON_HAND = (
    "INSERT INTO inventory.stock (part_number, warehouse, on_hand, reserved) "
    "VALUES ($1, $2, $3, 0) ON CONFLICT (part_number, warehouse) "
    "DO UPDATE SET on_hand = inventory.stock.on_hand + EXCLUDED.on_hand"
)
_LEVELS = (
    "SELECT warehouse, on_hand, reserved FROM inventory.stock WHERE part_number = $1 "
    "ORDER BY warehouse"
)


async def insert_receipt(
    conn: Connection,
    receipt_id: UUID,
    part_number: str,
    warehouse: str,
    quantity: int,
    at: datetime,
) -> dict[str, Any]:
    try:
        row = await conn.fetchrow(_INSERT_RECEIPT, receipt_id, part_number, warehouse, quantity, at)
    except asyncpg.ForeignKeyViolationError:
        raise PartNotFound(f"no part {part_number}") from None
    return dict(row)


async def add_on_hand(conn: Connection, part_number: str, warehouse: str, quantity: int) -> None:
    try:
        await conn.execute(_ADD_ON_HAND, part_number, warehouse, quantity)
    except asyncpg.NumericValueOutOfRangeError:
        # on_hand is a 32-bit integer: a count past it is a booking error, not a server fault.
        raise StockCounterFull(
            f"{warehouse} cannot hold {quantity} more of {part_number}", warehouse=warehouse
        ) from None


async def levels(conn: Connection, part_number: str) -> list[StockLevel]:
    return [
        StockLevel(r["warehouse"], r["on_hand"], r["reserved"])
        for r in await conn.fetch(_LEVELS, part_number)
    ]
