"""Every statement on intake.follow_ups; rows <-> `FollowUp`."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
from asyncpg import Connection

from services.intake.followups.rules import FollowUp, Outcome
from services.intake.tickets.lifecycle import TicketNotFound

COLUMNS = "id, ticket_id, called_by, called_at, outcome, notes, recorded_by, recorded_at"
_INSERT = f"INSERT INTO intake.follow_ups ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
_PAGE = f"""SELECT {COLUMNS} FROM intake.follow_ups
            WHERE ticket_id = $1 AND ($2::timestamptz IS NULL OR (called_at, id) > ($2, $3))
            ORDER BY called_at, id LIMIT $4"""


def _follow_up(row: asyncpg.Record) -> FollowUp:
    return FollowUp(**{**dict(row), "outcome": Outcome(row["outcome"])})


async def insert(conn: Connection, follow_up: FollowUp) -> None:
    try:
        await conn.execute(
            _INSERT,
            follow_up.id,
            follow_up.ticket_id,
            follow_up.called_by,
            follow_up.called_at,
            follow_up.outcome.value,
            follow_up.notes,
            follow_up.recorded_by,
            follow_up.recorded_at,
        )
    except asyncpg.ForeignKeyViolationError:
        raise TicketNotFound(
            f"no ticket {follow_up.ticket_id}", ticket_id=follow_up.ticket_id
        ) from None


async def page(
    conn: Connection, ticket_id: UUID, *, after: tuple[datetime, UUID] | None, limit: int
) -> list[FollowUp]:
    """In the order the calls were made, `limit + 1` so the caller can tell whether more follow."""
    at, last = after if after is not None else (None, None)
    return [_follow_up(r) for r in await conn.fetch(_PAGE, ticket_id, at, last, limit + 1)]
