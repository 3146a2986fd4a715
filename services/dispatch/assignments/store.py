"""Every SQL statement about assignments and the tickets they are for, as constants."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from asyncpg import Connection

from services.dispatch.assignments.lifecycle import Assignment, AssignmentStatus
from shared.sql import Filters

COLUMNS = "id, ticket_id, engineer_id, status, role, assigned_at, respond_by, accepted_at"

_OF_TICKET = (
    f"SELECT {COLUMNS} FROM dispatch.assignments "
    "WHERE ticket_id = $1 AND ($2::uuid IS NULL OR engineer_id = $2) "
    "ORDER BY assigned_at, id"
)
_OF_ENGINEER = f"SELECT {COLUMNS} FROM dispatch.assignments"
_GET = f"SELECT {COLUMNS} FROM dispatch.assignments WHERE id = $1"
_LOCK = f"{_GET} FOR UPDATE"
# An assignment that ends (declined, timed out, cancelled, completed) frees its engineer's load
# in the same statement, and only once: an assignment already ended matches nothing.
_END = """
WITH ended AS (
    UPDATE dispatch.assignments SET status = $2, ended_at = $3, reason = $4, updated_at = $3
    WHERE id = $1 AND status IN ('assigned', 'accepted', 'departed', 'on_site')
    RETURNING engineer_id
)
UPDATE dispatch.engineers e SET active_assignments = e.active_assignments - 1
FROM ended WHERE e.id = ended.engineer_id
"""
_ENGINEER_EXISTS = "SELECT EXISTS (SELECT 1 FROM dispatch.engineers WHERE id = $1)"
_ACCEPT = (
    "UPDATE dispatch.assignments "
    "SET status = 'accepted', accepted_at = $2, updated_at = $2 "
    f"WHERE id = $1 RETURNING {COLUMNS}"
)


async def of_ticket(
    conn: Connection, ticket_id: UUID, *, engineer_id: UUID | None
) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(_OF_TICKET, ticket_id, engineer_id)]


async def of_engineer(
    conn: Connection,
    engineer_id: UUID,
    *,
    after: tuple[datetime, UUID] | None,
    limit: int,
    status: str | None,
) -> list[dict[str, Any]]:
    """Oldest first, `limit + 1` rows so the caller can tell whether more follow."""
    # The status filter is its own clause, not `($n IS NULL OR status = $n)`: a phone polling
    # its open work must reach it through the index, not read every job the engineer ever had.
    filters = Filters().add("engineer_id = {}", engineer_id).add_if(status, "status = {}")
    if after is not None:
        filters.add("(assigned_at, id) > ({}, {})", *after)
    where = filters.where()
    records = await conn.fetch(
        f"{_OF_ENGINEER} {where} ORDER BY assigned_at, id LIMIT {filters.param(limit + 1)}",
        *filters.args,
    )
    return [dict(r) for r in records]


async def get(conn: Connection, assignment_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_GET, assignment_id)
    return dict(row) if row else None


async def lock(conn: Connection, assignment_id: UUID) -> Assignment | None:
    row = await conn.fetchrow(_LOCK, assignment_id)
    if row is None:
        return None
    return Assignment(
        row["id"], row["ticket_id"], row["engineer_id"], AssignmentStatus(row["status"])
    )


async def save_accepted(conn: Connection, assignment_id: UUID, at: datetime) -> dict[str, Any]:
    return dict(await conn.fetchrow(_ACCEPT, assignment_id, at))


async def end(
    conn: Connection, assignment_id: UUID, status: str, at: datetime, reason: str | None
) -> None:
    await conn.execute(_END, assignment_id, status, at, reason)


async def engineer_exists(conn: Connection, engineer_id: UUID) -> bool:
    return bool(await conn.fetchval(_ENGINEER_EXISTS, engineer_id))
