"""Every statement the reports read, and the read models they keep (SLA outcomes, engineers)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from asyncpg import Connection

from services.intake.ratings.store import RESOLVED_AT
from services.intake.reporting.rules import EngineerWork

# A clock breached stays breached: a late sla.met (or one redelivered) never turns it round.
_RECORD_OUTCOME = """
INSERT INTO intake.sla_outcomes AS s (clock_id, ticket_id, kind, outcome, due_at, met_at, decided_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (clock_id) DO UPDATE SET
    met_at = coalesce(s.met_at, EXCLUDED.met_at),
    outcome = CASE WHEN 'breached' IN (s.outcome, EXCLUDED.outcome) THEN 'breached' ELSE 'met' END,
    decided_at = CASE WHEN s.outcome = 'breached' THEN s.decided_at ELSE EXCLUDED.decided_at END"""
_RECORD_ENGINEER = """
INSERT INTO intake.ticket_engineers (ticket_id, engineer_id, assignment_id, assigned_at)
VALUES ($1, $2, $3, $4) ON CONFLICT (ticket_id, engineer_id) DO NOTHING"""

# $1, $2: the period [start, end); $3: a customer, or NULL for all of them.
_BY_PRIORITY = """
SELECT priority AS key, count(*) AS n FROM intake.tickets
WHERE created_at >= $1 AND created_at < $2 AND ($3::uuid IS NULL OR customer_id = $3)
GROUP BY priority"""
_BY_CHANNEL = """
SELECT channel AS key, count(*) AS n FROM intake.tickets
WHERE created_at >= $1 AND created_at < $2 AND ($3::uuid IS NULL OR customer_id = $3)
GROUP BY channel"""
_SLA = """
SELECT o.kind, o.outcome, count(*) AS n
FROM intake.sla_outcomes o JOIN intake.tickets t ON t.id = o.ticket_id
WHERE o.decided_at >= $1 AND o.decided_at < $2 AND ($3::uuid IS NULL OR t.customer_id = $3)
GROUP BY o.kind, o.outcome"""
_RATINGS = """
SELECT coalesce(sum(r.score), 0) AS total, count(*) AS n
FROM intake.ratings r JOIN intake.tickets t ON t.id = r.ticket_id
WHERE r.recorded_at >= $1 AND r.recorded_at < $2 AND ($3::uuid IS NULL OR t.customer_id = $3)"""
_REPEAT_FAILURES = """
SELECT count(*) FROM intake.repeat_failures f JOIN intake.tickets t ON t.id = f.ticket_id
WHERE f.detected_at >= $1 AND f.detected_at < $2 AND ($3::uuid IS NULL OR t.customer_id = $3)"""

# RP-1: tickets resolved in the period, by the engineers assigned to them; ratings recorded
# in the period, by the engineers they name.
_DONE = f"""
SELECT t.id FROM intake.tickets t
WHERE t.status IN ('resolved', 'closed') AND t.{RESOLVED_AT} >= $1 AND t.{RESOLVED_AT} < $2"""
_ENGINEERS = f"""
WITH done AS ({_DONE}),
work AS (
    SELECT te.engineer_id, count(*) AS completed,
           count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM intake.sla_outcomes o
               WHERE o.ticket_id = te.ticket_id AND o.kind = 'restore' AND o.outcome = 'met'
           )) AS restore_met
    FROM done JOIN intake.ticket_engineers te ON te.ticket_id = done.id
    GROUP BY te.engineer_id),
rated AS (
    SELECT e.engineer_id, sum(r.score) AS rating_sum, count(*) AS ratings
    FROM intake.ratings r CROSS JOIN LATERAL unnest(r.engineer_ids) AS e(engineer_id)
    WHERE r.recorded_at >= $1 AND r.recorded_at < $2
    GROUP BY e.engineer_id)
SELECT coalesce(w.engineer_id, r.engineer_id) AS engineer_id,
       coalesce(w.completed, 0) AS completed, coalesce(w.restore_met, 0) AS restore_met,
       coalesce(r.rating_sum, 0) AS rating_sum, coalesce(r.ratings, 0) AS ratings
FROM work w FULL JOIN rated r ON r.engineer_id = w.engineer_id"""
_COMPLETED = f"""
WITH done AS ({_DONE})
SELECT count(*) FROM done
WHERE EXISTS (SELECT 1 FROM intake.ticket_engineers te WHERE te.ticket_id = done.id)"""


async def record_outcome(
    conn: Connection,
    *,
    clock_id: UUID,
    ticket_id: UUID,
    kind: str,
    outcome: str,
    due_at: datetime,
    met_at: datetime | None,
    decided_at: datetime,
) -> None:
    await conn.execute(
        _RECORD_OUTCOME, clock_id, ticket_id, kind, outcome, due_at, met_at, decided_at
    )


async def record_engineer(
    conn: Connection, ticket_id: UUID, engineer_id: UUID, assignment_id: UUID, at: datetime
) -> None:
    await conn.execute(_RECORD_ENGINEER, ticket_id, engineer_id, assignment_id, at)


async def tickets_by(
    conn: Connection, what: str, start: datetime, end: datetime, customer_id: UUID | None
) -> dict[str, int]:
    statement = {"priority": _BY_PRIORITY, "channel": _BY_CHANNEL}[what]
    return {r["key"]: r["n"] for r in await conn.fetch(statement, start, end, customer_id)}


async def sla_outcomes(
    conn: Connection, start: datetime, end: datetime, customer_id: UUID | None
) -> list[tuple[str, str, int]]:
    rows = await conn.fetch(_SLA, start, end, customer_id)
    return [(r["kind"], r["outcome"], r["n"]) for r in rows]


async def ratings(
    conn: Connection, start: datetime, end: datetime, customer_id: UUID | None
) -> tuple[int, int]:
    row = await conn.fetchrow(_RATINGS, start, end, customer_id)
    return int(row["total"]), int(row["n"])


async def engineer_work(
    conn: Connection, start: datetime, end: datetime
) -> tuple[list[EngineerWork], int]:
    """Each engineer's month, and the count of tickets completed with an engineer on them."""
    rows = await conn.fetch(_ENGINEERS, start, end)
    completed = await conn.fetchval(_COMPLETED, start, end)
    return [
        EngineerWork(
            engineer_id=r["engineer_id"],
            completed=r["completed"],
            restore_met=r["restore_met"],
            rating_sum=int(r["rating_sum"]),
            ratings=r["ratings"],
        )
        for r in rows
    ], int(completed)


async def repeat_failures(
    conn: Connection, start: datetime, end: datetime, customer_id: UUID | None
) -> int:
    """IV-3: the second hardware faults in warranty found in the period."""
    count: int = await conn.fetchval(_REPEAT_FAILURES, start, end, customer_id)
    return count
