"""Every SQL statement about engineers, as constants."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from asyncpg import Connection

COLUMNS = "id, name, skills, region, active, created_at"
_INSERT = (
    f"INSERT INTO dispatch.engineers (id, name, skills, region, active, created_at) "
    f"VALUES ($1, $2, $3, $4, true, $5) RETURNING {COLUMNS}"
)
_GET = f"SELECT {COLUMNS} FROM dispatch.engineers WHERE id = $1"


async def insert(
    conn: Connection,
    engineer_id: UUID,
    name: str,
    skills: Iterable[str],
    region: str | None,
    at: datetime,
) -> dict[str, Any]:
    return dict(await conn.fetchrow(_INSERT, engineer_id, name, sorted(skills), region, at))


async def get(conn: Connection, engineer_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_GET, engineer_id)
    return dict(row) if row else None
