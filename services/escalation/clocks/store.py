"""Every SQL statement about SLA clocks, as constants."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from asyncpg import Connection

from services.escalation.clocks.policy import ClockPlan

COLUMNS = "id, ticket_id, kind, priority, calendar, started_at, due_at, met_at, breached_at"

# One clock of each kind per ticket, however often ticket.created arrives.
_OPEN = (
    "INSERT INTO escalation.clocks "
    "(id, ticket_id, kind, priority, calendar, started_at, due_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (ticket_id, kind) DO NOTHING"
)
_MEET_RESPONSE = (
    "UPDATE escalation.clocks SET met_at = $2 "
    "WHERE ticket_id = $1 AND kind = 'response' AND met_at IS NULL "
    f"RETURNING {COLUMNS}"
)
# Each overdue clock is claimed by exactly one replica (SKIP LOCKED).
_BREACH_OVERDUE = f"""
UPDATE escalation.clocks SET breached_at = $2
WHERE id IN (SELECT id FROM escalation.clocks
             WHERE met_at IS NULL AND breached_at IS NULL AND due_at <= $2
             ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED)
RETURNING {COLUMNS}"""
_OF_TICKET = f"SELECT {COLUMNS} FROM escalation.clocks WHERE ticket_id = $1 ORDER BY kind"


async def open_clocks(
    conn: Connection,
    ticket_id: UUID,
    priority: str,
    calendar: str,
    started_at: datetime,
    plans: Iterable[ClockPlan],
    ids: Iterable[UUID],
) -> None:
    await conn.executemany(
        _OPEN,
        [
            (clock_id, ticket_id, plan.kind.value, priority, calendar, started_at, plan.due_at)
            for clock_id, plan in zip(ids, plans, strict=True)
        ],
    )


async def meet_response(conn: Connection, ticket_id: UUID, at: datetime) -> dict[str, Any] | None:
    """The response clock, stopped at `at`; None if it was already met (or never opened)."""
    row = await conn.fetchrow(_MEET_RESPONSE, ticket_id, at)
    return dict(row) if row else None


async def breach_overdue(conn: Connection, now: datetime, limit: int) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(_BREACH_OVERDUE, limit, now)]


async def of_ticket(conn: Connection, ticket_id: UUID) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(_OF_TICKET, ticket_id)]
