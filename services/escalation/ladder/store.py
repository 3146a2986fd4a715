"""Every SQL statement about escalation ladders: the state of each, and its history appended."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from asyncpg import Connection, Record

from services.escalation.ladder.rules import Entry, EntryKind, Ladder, Milestone, Step, next_fire_at

_START = """
INSERT INTO escalation.ladders (ticket_id, level, state, next_fire_at, updated_at)
VALUES ($1, 0, $2, NULL, $3)
ON CONFLICT (ticket_id) DO NOTHING
"""
_GET = "SELECT ticket_id, state FROM escalation.ladders WHERE ticket_id = $1"
_LOCK = f"{_GET} FOR UPDATE"
# Each ladder due is claimed by exactly one replica (SKIP LOCKED).
_CLAIM_DUE = """
SELECT ticket_id, state FROM escalation.ladders
WHERE next_fire_at <= $1
ORDER BY next_fire_at
LIMIT $2
FOR UPDATE SKIP LOCKED
"""
_HISTORY = """
SELECT ticket_id, kind, at, level, step, reason, by, until, clock_id
FROM escalation.ladder_entries WHERE ticket_id = ANY($1::uuid[])
ORDER BY ticket_id, seq
"""
_SAVE = """
UPDATE escalation.ladders SET level = $2, state = $3, next_fire_at = $4, updated_at = $5
WHERE ticket_id = $1
"""
_APPEND = """
INSERT INTO escalation.ladder_entries (ticket_id, kind, at, level, step, reason, by, until,
    clock_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
"""


async def start(conn: Connection, ticket_id: UUID, now: datetime) -> None:
    await conn.execute(_START, ticket_id, _state(Ladder(ticket_id)), now)


async def get(conn: Connection, ticket_id: UUID) -> Ladder | None:
    return await _one(conn, _GET, ticket_id)


async def lock(conn: Connection, ticket_id: UUID) -> Ladder | None:
    return await _one(conn, _LOCK, ticket_id)


async def claim_due(conn: Connection, now: datetime, limit: int) -> list[Ladder]:
    return await _ladders(conn, await conn.fetch(_CLAIM_DUE, now, limit))


async def save(conn: Connection, before: Ladder, after: Ladder, now: datetime) -> None:
    """The new state, and the history entries it added since `before`."""
    if after == before:
        return
    await conn.execute(_SAVE, after.ticket_id, after.level, _state(after), next_fire_at(after), now)
    added = after.history[len(before.history) :]
    if added:
        await conn.executemany(
            _APPEND,
            [
                (
                    after.ticket_id,
                    e.kind.value,
                    e.at,
                    e.level,
                    None if e.step is None else e.step.value,
                    e.reason,
                    e.by,
                    e.until,
                    e.clock_id,
                )
                for e in added
            ],
        )


async def _one(conn: Connection, sql: str, ticket_id: UUID) -> Ladder | None:
    row = await conn.fetchrow(sql, ticket_id)
    if row is None:
        return None
    [ladder] = await _ladders(conn, [row])
    return ladder


async def _ladders(conn: Connection, rows: list[Record]) -> list[Ladder]:
    if not rows:
        return []
    history: dict[UUID, list[Entry]] = {r["ticket_id"]: [] for r in rows}
    for e in await conn.fetch(_HISTORY, list(history)):
        history[e["ticket_id"]].append(
            Entry(
                kind=EntryKind(e["kind"]),
                at=e["at"],
                level=e["level"],
                step=None if e["step"] is None else Step(e["step"]),
                reason=e["reason"],
                by=e["by"],
                until=e["until"],
                clock_id=e["clock_id"],
            )
        )
    return [_ladder(r["ticket_id"], r["state"], tuple(history[r["ticket_id"]])) for r in rows]


def _at(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _ladder(ticket_id: UUID, state: dict[str, Any], history: tuple[Entry, ...]) -> Ladder:
    return Ladder(
        ticket_id=ticket_id,
        level=state["level"],
        milestone=None if state["milestone"] is None else Milestone(state["milestone"]),
        milestone_at=_at(state["milestone_at"]),
        step=None if state["step"] is None else Step(state["step"]),
        step_started_at=_at(state["step_started_at"]),
        step_due_at=_at(state["step_due_at"]),
        held_until=_at(state["held_until"]),
        acked_levels=frozenset(state["acked_levels"]),
        breached_clocks=frozenset(UUID(c) for c in state["breached_clocks"]),
        stopped_at=_at(state["stopped_at"]),
        history=history,
    )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _state(ladder: Ladder) -> dict[str, Any]:
    """The ladder but its history, as JSON (the history has a table of its own)."""
    return {
        "level": ladder.level,
        "milestone": None if ladder.milestone is None else ladder.milestone.value,
        "milestone_at": _iso(ladder.milestone_at),
        "step": None if ladder.step is None else ladder.step.value,
        "step_started_at": _iso(ladder.step_started_at),
        "step_due_at": _iso(ladder.step_due_at),
        "held_until": _iso(ladder.held_until),
        "acked_levels": sorted(ladder.acked_levels),
        "breached_clocks": sorted(str(c) for c in ladder.breached_clocks),
        "stopped_at": _iso(ladder.stopped_at),
    }
