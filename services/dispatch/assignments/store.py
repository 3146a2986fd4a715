"""Every SQL statement about assignments and the tickets they are for, as constants."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from asyncpg import Connection, Record

from services.dispatch.assignments.lifecycle import (
    LIVE,
    TIMED,
    Assignment,
    AssignmentStatus,
    Move,
    Moved,
)
from services.dispatch.parts.store import BRIEF as PARTS
from shared.sql import Filters

COLUMNS = (
    "id, ticket_id, engineer_id, status, role, assigned_at, respond_by, onsite_due, "
    "accepted_at, departed_at, arrived_at, completed_at, ended_at, reason"
)

_OF_TICKET = (
    f"SELECT {COLUMNS} FROM dispatch.assignments "
    "WHERE ticket_id = $1 AND ($2::uuid IS NULL OR engineer_id = $2) "
    "ORDER BY assigned_at, id"
)
_GET = f"SELECT {COLUMNS} FROM dispatch.assignments WHERE id = $1"
_LOCK = f"{_GET} FOR UPDATE"

# The phone's list: each job with what the engineer needs offline (DS-3), the parts too.
_NAMES = tuple(c.strip() for c in COLUMNS.split(","))
_A_COLUMNS = ", ".join(f"a.{c}" for c in _NAMES)
_MINE = (
    f"SELECT {_A_COLUMNS}, t.number, t.priority, t.summary, t.contact, "
    "s.name AS site_name, s.address AS site_address, "
    f"s.latitude AS site_latitude, s.longitude AS site_longitude, {PARTS} AS parts "
    "FROM dispatch.assignments a JOIN dispatch.tickets t ON t.id = a.ticket_id "
    "LEFT JOIN dispatch.sites s ON s.id = t.site_id"
)
_LIVE = "(" + ", ".join(f"'{s.value}'" for s in LIVE) + ")"

# A step the phone reported, at its time: the new status (the current one for a late fact),
# the step's time column and what came with it. One statement per step, so a finite set.
_STEPS = {
    Move.accept: "accepted_at = $3, updated_at = $4",
    Move.depart: "departed_at = $3, depart_position = $5, updated_at = $4",
    Move.arrive: "arrived_at = $3, arrive_position = $5, updated_at = $4",
    Move.complete: "completed_at = $3, report = $5, updated_at = $4",
}
_STEP = {
    how: f"UPDATE dispatch.assignments SET status = $2, {sets} WHERE id = $1 RETURNING {COLUMNS}"
    for how, sets in _STEPS.items()
}
# An assignment leaves the engineer's load in the statement that ends it, and only once: an
# assignment that has ended already matches nothing, so nothing is counted twice.
_END = f"""
WITH ended AS (
    UPDATE dispatch.assignments SET status = $2, ended_at = $3, reason = $4, updated_at = $5
    WHERE id = $1 AND status IN {_LIVE}
    RETURNING engineer_id
), counted AS (
    UPDATE dispatch.engineers e SET active_assignments = e.active_assignments - 1
    FROM ended WHERE e.id = ended.engineer_id
)
SELECT count(*) FROM ended"""
_APPEND_ACTION = (
    "INSERT INTO dispatch.assignment_actions "
    "(assignment_id, action, occurred_at, received_at, by, from_status, to_status, detail) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
)
_HISTORY = (
    "SELECT seq, action, occurred_at, received_at, by, from_status, to_status, "
    "from_status = to_status AS late, detail FROM dispatch.assignment_actions "
    "WHERE assignment_id = $1 ORDER BY occurred_at, seq"
)
# The engineer's last known position: a phone time older than the one kept changes nothing
# (an offline batch uploads old positions after newer ones were reported live).
_KEEP_POSITION = """
WITH kept AS (
    UPDATE dispatch.engineers
    SET position_latitude = $2, position_longitude = $3, position_at = $4, updated_at = $5
    WHERE id = $1 AND (position_at IS NULL OR position_at < $4)
    RETURNING position_latitude, position_longitude, position_at, true AS applied
)
SELECT * FROM kept
UNION ALL
SELECT position_latitude, position_longitude, position_at, false FROM dispatch.engineers
WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM kept)"""


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
    """Oldest first, `limit + 1` rows so the caller can tell whether more follow; without a
    status, the live ones (what the phone must carry offline)."""
    # The status filter is its own clause, not `($n IS NULL OR status = $n)`: a phone polling
    # its open work must reach it through the index, not read every job the engineer ever had.
    filters = Filters().add("a.engineer_id = {}", engineer_id)
    if status is None:
        filters.add(f"a.status IN {_LIVE}")
    else:
        filters.add("a.status = {}", status)
    if after is not None:
        filters.add("(a.assigned_at, a.id) > ({}, {})", *after)
    where = filters.where()
    records = await conn.fetch(
        f"{_MINE} {where} ORDER BY a.assigned_at, a.id LIMIT {filters.param(limit + 1)}",
        *filters.args,
    )
    return [_briefed(r) for r in records]


def _briefed(row: Record) -> dict[str, Any]:
    briefed = {name: row[name] for name in _NAMES}
    briefed["ticket"] = {
        "id": row["ticket_id"],
        "number": row["number"],
        "priority": row["priority"],
        "summary": row["summary"],
    }
    briefed["site"] = (
        None
        if row["site_name"] is None
        else {
            "name": row["site_name"],
            "address": row["site_address"],
            "latitude": row["site_latitude"],
            "longitude": row["site_longitude"],
        }
    )
    briefed["contact"] = row["contact"]
    briefed["parts"] = row["parts"]
    return briefed


async def get(conn: Connection, assignment_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_GET, assignment_id)
    return dict(row) if row else None


async def lock(conn: Connection, assignment_id: UUID) -> Assignment | None:
    row = await conn.fetchrow(_LOCK, assignment_id)
    if row is None:
        return None
    return Assignment(
        row["id"],
        row["ticket_id"],
        row["engineer_id"],
        AssignmentStatus(row["status"]),
        role=row["role"],
        times={column: row[column] for column in TIMED.values()},
    )


async def record_step(
    conn: Connection,
    moved: Moved,
    *,
    now: datetime,
    position: dict[str, Any] | None = None,
    report: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A timed step at the phone's time, with the new status (the current one when late)."""
    args: list[Any] = [moved.assignment.id, moved.to.value, moved.at, now]
    if moved.how is Move.complete:
        args.append(report)
    elif moved.how in (Move.depart, Move.arrive):
        args.append(position)
    return dict(await conn.fetchrow(_STEP[moved.how], *args))


async def end(
    conn: Connection,
    assignment_id: UUID,
    status: AssignmentStatus,
    at: datetime,
    reason: str | None,
    *,
    now: datetime | None = None,
) -> bool:
    """End a live assignment and take it out of its engineer's load, in one statement.

    `at` is when it ended (the phone's time for a decline or a completion), `now` the
    server's time of the change (default `at`). False when it had ended already: then
    nothing changes, and the load is not counted down a second time.
    """
    ended = await conn.fetchval(
        _END, assignment_id, status.value, at, reason, at if now is None else now
    )
    return bool(ended)


async def append_action(
    conn: Connection,
    moved: Moved,
    *,
    received_at: datetime,
    by: str,
    detail: dict[str, Any],
) -> None:
    await conn.execute(
        _APPEND_ACTION,
        moved.assignment.id,
        moved.how.value,
        moved.at,
        received_at,
        by,
        moved.assignment.status.value,
        moved.to.value,
        detail,
    )


async def history(conn: Connection, assignment_id: UUID) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(_HISTORY, assignment_id)]


async def keep_position(
    conn: Connection,
    engineer_id: UUID,
    latitude: float,
    longitude: float,
    at: datetime,
    now: datetime,
) -> dict[str, Any] | None:
    """The position kept (this one unless a later phone time is held); None: no such engineer."""
    row = await conn.fetchrow(_KEEP_POSITION, engineer_id, latitude, longitude, at, now)
    if row is None:
        return None
    return {
        "latitude": row["position_latitude"],
        "longitude": row["position_longitude"],
        "at": row["position_at"],
        "applied": row["applied"],
    }
