"""Every SQL statement about engineers, as constants."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from asyncpg import Connection

COLUMNS = "id, name, skills, regions[1] AS region, status = 'active' AS active, created_at"
_INSERT = (
    "INSERT INTO dispatch.engineers (id, name, skills, regions, created_at, updated_at) "
    "VALUES ($1, $2, $3, CASE WHEN $4::text IS NULL THEN '{}'::text[] ELSE ARRAY[$4] END, $5, $5) "
    f"RETURNING {COLUMNS}"
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
