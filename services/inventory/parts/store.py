"""Every SQL statement about the parts catalogue, as constants."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
from asyncpg import Connection

from services.inventory.parts.rules import PartExists

COLUMNS = "part_number, vendor, description, created_at"
_INSERT = (
    "INSERT INTO inventory.parts (part_number, vendor, description, created_at) "
    f"VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}"
)
_VENDOR = "SELECT vendor FROM inventory.parts WHERE part_number = $1"


async def insert(
    conn: Connection, part_number: str, vendor: str, description: str, at: datetime
) -> dict[str, Any]:
    try:
        row = await conn.fetchrow(_INSERT, part_number, vendor, description, at)
    except asyncpg.UniqueViolationError:
        raise PartExists(f"part {part_number} is already registered") from None
    return dict(row)


async def vendor_of(conn: Connection, part_number: str) -> str | None:
    return await conn.fetchval(_VENDOR, part_number)
