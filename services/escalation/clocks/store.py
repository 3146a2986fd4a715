"""Every SQL statement about SLA clocks, as constants: the clocks, their append-only logs, and
the calendars they count on."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from asyncpg import Connection, Record

from services.escalation.calendars import store as calendars
from services.escalation.clocks.clock import ClockState, Entry, EntryKind
from services.escalation.clocks.policy import DEFAULT_CALENDAR
from shared.businesstime import Calendar, UnknownCalendar, calendar
from shared.db import UnitOfWork
from shared.sql import Filters

COLUMNS = (
    "id, ticket_id, kind, calendar, target_minutes, status, started_at, used_minutes, due_at, "
    "met_at, breached_at, sent, met_sent, next_fire_at"
)
_ENTRY_COLUMNS = "clock_id, seq, at, kind, reason, source, target_minutes, calendar"

# One clock of each kind per ticket, however often ticket.created arrives.
_OPEN = f"""
INSERT INTO escalation.clocks (id, ticket_id, kind, calendar, target_minutes, status,
    started_at, due_at, updated_at)
VALUES ($1, $2, $3, $4, $5, 'running', $6, $6, $7)
ON CONFLICT (ticket_id, kind) DO NOTHING
RETURNING {COLUMNS}
"""
_APPEND = """
INSERT INTO escalation.clock_entries (clock_id, at, kind, reason, source, target_minutes,
    calendar, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
"""
_ENTRIES = f"""
SELECT {_ENTRY_COLUMNS} FROM escalation.clock_entries WHERE clock_id = ANY($1::uuid[])
ORDER BY clock_id, seq
"""
_OF_TICKET = f"SELECT {COLUMNS} FROM escalation.clocks WHERE ticket_id = $1 ORDER BY kind"
_LOCK_OF_TICKET = f"{_OF_TICKET} FOR UPDATE"
# Each due clock is claimed by exactly one replica (SKIP LOCKED); a replica that dies holding
# some gives them back with its transaction.
_CLAIM_DUE = f"""
SELECT {COLUMNS} FROM escalation.clocks
WHERE next_fire_at <= $1
ORDER BY next_fire_at
LIMIT $2
FOR UPDATE SKIP LOCKED
"""
_LOCK_ON_CALENDAR = f"""
SELECT {COLUMNS} FROM escalation.clocks WHERE calendar = $1 AND status <> 'stopped'
ORDER BY ticket_id, kind
FOR UPDATE
"""
_SAVE = """
UPDATE escalation.clocks SET calendar = $2, target_minutes = $3, status = $4, used_minutes = $5,
    due_at = $6, met_at = $7, breached_at = $8, sent = $9, met_sent = $10, next_fire_at = $11,
    updated_at = $12
WHERE id = $1
"""
_BREACHES = """
SELECT c.id, c.ticket_id, t.number, t.customer_id, t.priority, c.kind, c.calendar,
       c.target_minutes, c.due_at, c.breached_at, c.status
FROM escalation.clocks c JOIN escalation.tickets t ON t.id = c.ticket_id
"""

Resolver = Callable[[str], Calendar]


@dataclass(frozen=True, slots=True)
class ClockRow:
    """A clock as last folded, with what was announced of it."""

    id: UUID
    ticket_id: UUID
    kind: str
    calendar: str
    target_minutes: int
    status: str
    started_at: datetime
    used_minutes: float
    due_at: datetime
    met_at: datetime | None
    breached_at: datetime | None
    sent: tuple[float, ...]
    met_sent: bool
    next_fire_at: datetime | None


def _clock(row: Record) -> ClockRow:
    return ClockRow(**{**dict(row), "sent": tuple(row["sent"])})


async def calendars_for(uow: UnitOfWork) -> Resolver:
    """How calendar names become calendars, for every clock and ladder of this unit of work.

    The one place names are resolved: the built-ins (`24x7`, `cn-5x8`) and the calendars defined
    over the API, as stored now; a name neither knows counts on cn-5x8, the standard 5x8
    cover's calendar (IN-10). When that name is defined later, replaying its clocks
    (`recompute_calendar`) puts them on it.
    """
    named = await calendars.resolver(uow.conn)

    def resolve(name: str) -> Calendar:
        try:
            return named(name)
        except UnknownCalendar:
            return calendar(DEFAULT_CALENDAR)

    return resolve


async def open_clock(
    conn: Connection,
    clock_id: UUID,
    ticket_id: UUID,
    kind: str,
    calendar_name: str,
    target_minutes: int,
    started_at: datetime,
    now: datetime,
) -> ClockRow | None:
    """The clock opened; None when the ticket already had one of that kind."""
    row = await conn.fetchrow(
        _OPEN, clock_id, ticket_id, kind, calendar_name, target_minutes, started_at, now
    )
    return None if row is None else _clock(row)


async def append(
    conn: Connection,
    clock_id: UUID,
    kind: EntryKind,
    at: datetime,
    now: datetime,
    *,
    reason: str = "",
    source: str = "",
    target_minutes: int | None = None,
    calendar_name: str | None = None,
) -> None:
    await conn.execute(
        _APPEND, clock_id, at, kind.value, reason, source, target_minutes, calendar_name, now
    )


async def entries(conn: Connection, clock_ids: Sequence[UUID]) -> dict[UUID, list[Entry]]:
    """Each clock's log, in arrival order (`replay` puts it in time order)."""
    logs: dict[UUID, list[Entry]] = {clock_id: [] for clock_id in clock_ids}
    for row in await conn.fetch(_ENTRIES, list(clock_ids)):
        logs[row["clock_id"]].append(
            Entry(
                at=row["at"],
                seq=row["seq"],
                kind=EntryKind(row["kind"]),
                reason=row["reason"],
                source=row["source"],
                target_minutes=row["target_minutes"],
                calendar=row["calendar"],
            )
        )
    return logs


async def of_ticket(conn: Connection, ticket_id: UUID) -> list[ClockRow]:
    return [_clock(r) for r in await conn.fetch(_OF_TICKET, ticket_id)]


async def lock_of_ticket(conn: Connection, ticket_id: UUID) -> list[ClockRow]:
    return [_clock(r) for r in await conn.fetch(_LOCK_OF_TICKET, ticket_id)]


async def claim_due(conn: Connection, now: datetime, limit: int) -> list[ClockRow]:
    return [_clock(r) for r in await conn.fetch(_CLAIM_DUE, now, limit)]


async def lock_on_calendar(conn: Connection, name: str) -> list[ClockRow]:
    return [_clock(r) for r in await conn.fetch(_LOCK_ON_CALENDAR, name)]


async def save(
    conn: Connection,
    clock: ClockRow,
    state: ClockState,
    now: datetime,
    *,
    sent: Iterable[float],
    met_at: datetime | None,
    met_sent: bool,
    breached_at: datetime | None,
    next_fire_at: datetime | None,
) -> None:
    await conn.execute(
        _SAVE,
        clock.id,
        state.calendar,
        state.target_minutes,
        state.status.value,
        state.used_minutes,
        state.due_at,
        met_at,
        breached_at,
        sorted(set(sent)),
        met_sent,
        next_fire_at,
        now,
    )


async def breaches(
    conn: Connection, *, since: datetime, after: tuple[datetime, UUID] | None, limit: int
) -> list[dict[str, Any]]:
    """Clocks breached at `since` or later, by breach time then id; `limit + 1` rows."""
    filters = Filters().add("c.breached_at >= {}", since)
    if after is not None:
        filters.add("(c.breached_at, c.id) > ({}, {})", *after)
    sql = f"{_BREACHES} {filters.where()} ORDER BY c.breached_at, c.id LIMIT {filters.param(limit + 1)}"
    return [dict(r) for r in await conn.fetch(sql, *filters.args)]
