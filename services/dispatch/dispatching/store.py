"""Every SQL statement of dispatching: the tickets' read model, the engineers weighed, decisions,
and the assignments a decision creates or a time-out ends."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from asyncpg import Connection

from shared.events.intake import TicketCreated

_RECORD_TICKET = """
INSERT INTO dispatch.tickets (id, number, priority, category, region, received_at, customer_id,
    site_id, contract_id, summary, reported_at, coverage, calendar, contact)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (id) DO NOTHING
RETURNING id
"""
# Everything a decision needs to know of the ticket, its site and its contract, in one read.
_JOB = """
SELECT t.id, t.priority, t.category, t.status, t.reported_at, t.received_at,
       coalesce(t.region, s.region) AS region, s.latitude, s.longitude,
       coalesce(t.coverage, c.coverage) AS coverage, coalesce(t.calendar, c.calendar) AS calendar,
       c.onsite_minutes, c.resident_engineer_id, coalesce(c.emergency_onsite_7x24, false)
           AS emergency_onsite_7x24
FROM dispatch.tickets t
LEFT JOIN dispatch.sites s ON s.id = t.site_id
LEFT JOIN dispatch.contracts c ON c.id = t.contract_id
WHERE t.id = $1
"""
_LOCK_TICKET = "SELECT id, priority, status FROM dispatch.tickets WHERE id = $1 FOR UPDATE"
# Serialises decisions, so that concurrent replicas see each other's load.
_DECIDE_ALONE = "SELECT pg_advisory_xact_lock(hashtext('dispatch.assign'))"
_ENGINEER_COLUMNS = """
SELECT id, name, skills, certifications, team, seniority, regions, shift, on_call, capacity,
       status, active_assignments, coalesce(position_latitude, home_latitude) AS latitude,
       coalesce(position_longitude, home_longitude) AS longitude,
       position_latitude IS NOT NULL AS position_known
FROM dispatch.engineers
"""
# Only engineers with the skill are weighed (and explained); "other" faults go to anyone.
_CANDIDATES = f"{_ENGINEER_COLUMNS} WHERE $1 = ANY(skills) OR $1 = 'other'"
_ENGINEER = f"{_ENGINEER_COLUMNS} WHERE id = $1"
# Who has been on the ticket, and how it ended: a decline or a time-out is not asked again.
_ON_TICKET = """
SELECT a.engineer_id, a.status, a.role, e.team, e.seniority
FROM dispatch.assignments a JOIN dispatch.engineers e ON e.id = a.engineer_id
WHERE a.ticket_id = $1
ORDER BY a.assigned_at, a.id
"""
_INSERT_DECISION = """
INSERT INTO dispatch.decisions (id, ticket_id, made_at, trigger, want, chosen, reason, summary,
    explanation)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
"""
_INSERT_ASSIGNMENT = """
WITH counted AS (
    UPDATE dispatch.engineers SET active_assignments = active_assignments + 1 WHERE id = $3
)
INSERT INTO dispatch.assignments (id, ticket_id, engineer_id, status, role, decision_id,
    assigned_at, respond_by, onsite_due, updated_at)
VALUES ($1, $2, $3, 'assigned', $4, $5, $6, $7, $8, $6)
"""
_MARK_UNASSIGNED = "UPDATE dispatch.tickets SET unassigned_reason = $2 WHERE id = $1"
_SET_PRIORITY = "UPDATE dispatch.tickets SET priority = $2 WHERE id = $1"
_SET_STATUS = "UPDATE dispatch.tickets SET status = $2 WHERE id = $1 AND status = 'open'"
_RAISE_LEVEL = (
    "UPDATE dispatch.tickets SET escalation_level = greatest(escalation_level, $2) WHERE id = $1"
)
_LIVE_OF_TICKET = """
SELECT id, ticket_id, engineer_id, status, role FROM dispatch.assignments
WHERE ticket_id = $1 AND status IN ('assigned', 'accepted', 'departed', 'on_site')
ORDER BY assigned_at, id
FOR UPDATE
"""
# The acceptance timer: what waits past its time, claimed so that one replica fires each.
_DUE_FOR_ANSWER = """
SELECT id, ticket_id, engineer_id, status, role, respond_by FROM dispatch.assignments
WHERE status = 'assigned' AND respond_by <= $1
ORDER BY respond_by
LIMIT $2
FOR UPDATE SKIP LOCKED
"""
_DECISIONS = """
SELECT id, ticket_id, made_at, trigger, want, chosen, reason, summary, explanation
FROM dispatch.decisions WHERE ticket_id = $1 ORDER BY made_at DESC, id DESC LIMIT $2
"""
_TICKET_EXISTS = "SELECT EXISTS (SELECT 1 FROM dispatch.tickets WHERE id = $1)"


async def record_ticket(conn: Connection, event: TicketCreated, at: datetime) -> bool:
    """The ticket as dispatch keeps it; False when it was recorded already (a redelivery)."""
    contact = event.contact.model_dump() if event.contact else None
    recorded = await conn.fetchval(
        _RECORD_TICKET,
        event.ticket_id,
        event.number,
        event.priority,
        event.category,
        event.region,
        at,
        event.customer_id,
        event.site_id,
        event.contract_id,
        event.summary[:200],
        event.reported_at,
        event.coverage,
        event.calendar,
        contact,
    )
    return recorded is not None


async def job(conn: Connection, ticket_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_JOB, ticket_id)
    return dict(row) if row else None


async def lock_ticket(conn: Connection, ticket_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_LOCK_TICKET, ticket_id)
    return dict(row) if row else None


async def candidates_alone(conn: Connection, skill: str) -> list[dict[str, Any]]:
    """The engineers with the skill, holding the decision lock until the transaction ends."""
    await conn.execute(_DECIDE_ALONE)
    return [dict(r) for r in await conn.fetch(_CANDIDATES, skill)]


async def engineer(conn: Connection, engineer_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_ENGINEER, engineer_id)
    return dict(row) if row else None


async def on_ticket(conn: Connection, ticket_id: UUID) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(_ON_TICKET, ticket_id)]


async def insert_decision(
    conn: Connection,
    decision_id: UUID,
    ticket_id: UUID,
    at: datetime,
    *,
    trigger: str,
    want: str,
    chosen: list[dict[str, str]],
    reason: str | None,
    summary: str,
    explanation: dict[str, Any],
) -> None:
    await conn.execute(
        _INSERT_DECISION,
        decision_id,
        ticket_id,
        at,
        trigger,
        want,
        chosen,
        reason,
        summary[:500],
        explanation,
    )


async def insert_assignment(
    conn: Connection,
    assignment_id: UUID,
    ticket_id: UUID,
    engineer_id: UUID,
    *,
    role: str,
    decision_id: UUID | None,
    at: datetime,
    respond_by: datetime,
    onsite_due: datetime | None,
) -> None:
    """A new assignment, counted in its engineer's load in the same statement."""
    await conn.execute(
        _INSERT_ASSIGNMENT,
        assignment_id,
        ticket_id,
        engineer_id,
        role,
        decision_id,
        at,
        respond_by,
        onsite_due,
    )


async def mark_unassigned(conn: Connection, ticket_id: UUID, reason: str | None) -> None:
    await conn.execute(_MARK_UNASSIGNED, ticket_id, reason)


async def set_priority(conn: Connection, ticket_id: UUID, priority: str) -> None:
    await conn.execute(_SET_PRIORITY, ticket_id, priority)


async def set_status(conn: Connection, ticket_id: UUID, status: str) -> None:
    await conn.execute(_SET_STATUS, ticket_id, status)


async def raise_level(conn: Connection, ticket_id: UUID, level: int) -> None:
    await conn.execute(_RAISE_LEVEL, ticket_id, level)


async def live_of_ticket(conn: Connection, ticket_id: UUID) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(_LIVE_OF_TICKET, ticket_id)]


async def due_for_answer(conn: Connection, now: datetime, limit: int) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(_DUE_FOR_ANSWER, now, limit)]


async def decisions(conn: Connection, ticket_id: UUID, limit: int) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(_DECISIONS, ticket_id, limit)]


async def ticket_exists(conn: Connection, ticket_id: UUID) -> bool:
    return bool(await conn.fetchval(_TICKET_EXISTS, ticket_id))


# The team lead's board (ES-5): what is open and for how long, what nobody took, who is free.
_BOARD_ASSIGNMENTS = """
SELECT a.id, a.ticket_id, t.number, t.priority, a.engineer_id, e.name AS engineer_name, a.role,
       a.status, a.assigned_at, a.respond_by, a.onsite_due, a.updated_at
FROM dispatch.assignments a
JOIN dispatch.tickets t ON t.id = a.ticket_id
JOIN dispatch.engineers e ON e.id = a.engineer_id
WHERE a.status IN ('assigned', 'accepted', 'departed', 'on_site')
ORDER BY a.assigned_at, a.id
LIMIT $1
"""
_BOARD_UNASSIGNED = """
SELECT t.id, t.number, t.priority, t.category, t.region, t.unassigned_reason, t.received_at
FROM dispatch.tickets t
WHERE t.status = 'open' AND t.unassigned_reason IS NOT NULL
  AND NOT EXISTS (
      SELECT 1 FROM dispatch.assignments a
      WHERE a.ticket_id = t.id AND a.status IN ('assigned', 'accepted', 'departed', 'on_site'))
ORDER BY t.received_at, t.id
LIMIT $1
"""
_BOARD_ENGINEERS = """
SELECT id, name, team, seniority, status, capacity, active_assignments AS load, shift, on_call
FROM dispatch.engineers
ORDER BY active_assignments DESC, name, id
LIMIT $1
"""


async def board(conn: Connection, limit: int) -> dict[str, list[dict[str, Any]]]:
    return {
        "assignments": [dict(r) for r in await conn.fetch(_BOARD_ASSIGNMENTS, limit)],
        "unassigned": [dict(r) for r in await conn.fetch(_BOARD_UNASSIGNED, limit)],
        "engineers": [dict(r) for r in await conn.fetch(_BOARD_ENGINEERS, limit)],
    }
