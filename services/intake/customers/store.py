"""Every SQL statement about customers, as constants."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from asyncpg import Connection

from shared.errors import NotFound

COLUMNS = "id, name, region, created_at"
_INSERT = (
    f"INSERT INTO intake.customers (id, name, region, created_at) VALUES ($1, $2, $3, $4) "
    f"RETURNING {COLUMNS}"
)
_GET = f"SELECT {COLUMNS} FROM intake.customers WHERE id = $1"
_EXISTS = "SELECT EXISTS (SELECT 1 FROM intake.customers WHERE id = $1)"


class CustomerNotFound(NotFound):
    title = "No such customer"


async def insert(
    conn: Connection, customer_id: UUID, name: str, region: str | None, at: datetime
) -> dict[str, Any]:
    return dict(await conn.fetchrow(_INSERT, customer_id, name, region, at))


async def get(conn: Connection, customer_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_GET, customer_id)
    return dict(row) if row else None


async def exists(conn: Connection, customer_id: UUID) -> bool:
    return bool(await conn.fetchval(_EXISTS, customer_id))
