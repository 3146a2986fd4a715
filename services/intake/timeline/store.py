"""Every statement on intake.ticket_timeline: append-only, read oldest first.

Entries are ordered by `seq`, the order intake learned things in, not by `at`, the time they
happened: a fact from a phone that was offline arrives late, and a reader paging on with its
cursor must still be handed it rather than have it slip in behind a page already read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from asyncpg import Connection

COLUMNS = "seq, ticket_id, at, recorded_at, kind, actor, detail, event_id"
# A fact about a ticket intake does not hold (another deployment's, on a shared topic) finds
# no row to join and is not recorded. A consumed event is recorded once, however often it comes.
_RECORD = """
INSERT INTO intake.ticket_timeline (ticket_id, at, recorded_at, kind, actor, detail, event_id)
SELECT t.id, $2, $3, $4, $5, $6, $7 FROM intake.tickets t WHERE t.id = $1
ON CONFLICT (event_id) DO NOTHING
RETURNING seq"""
# The creation entry, straight from the rows the create path inserted: one statement a batch.
_RECORD_CREATED = """
INSERT INTO intake.ticket_timeline (ticket_id, at, recorded_at, kind, actor, detail)
SELECT t.id, t.created_at, $2, 'ticket.created', t.created_by,
       jsonb_build_object('to', t.status, 'number', t.number, 'channel', t.channel,
                          'category', t.category, 'impact', t.impact, 'priority', t.priority,
                          'summary', t.summary)
FROM intake.tickets t WHERE t.id = ANY($1::uuid[])
ORDER BY t.created_at, t.id"""
_PAGE = f"""SELECT {COLUMNS} FROM intake.ticket_timeline
            WHERE ticket_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"""
_TICKET_EXISTS = "SELECT EXISTS (SELECT 1 FROM intake.tickets WHERE id = $1)"


@dataclass(frozen=True, slots=True)
class Entry:
    """Something that happened to a ticket: who (`actor`), when (`at`) and the why in `detail`."""

    ticket_id: UUID
    at: datetime
    kind: str
    actor: str
    detail: dict[str, Any] = field(default_factory=dict)
    event_id: str | None = None  # the consumed event's id, for facts from other services


@dataclass(frozen=True, slots=True)
class Recorded:
    seq: int
    recorded_at: datetime
    entry: Entry


def _recorded(row: asyncpg.Record) -> Recorded:
    return Recorded(
        seq=row["seq"],
        recorded_at=row["recorded_at"],
        entry=Entry(
            ticket_id=row["ticket_id"],
            at=row["at"],
            kind=row["kind"],
            actor=row["actor"],
            detail=row["detail"],
            event_id=row["event_id"],
        ),
    )


async def record(conn: Connection, entry: Entry, recorded_at: datetime) -> bool:
    """True if recorded; False for an event recorded before, or a ticket intake does not hold."""
    seq = await conn.fetchval(
        _RECORD,
        entry.ticket_id,
        entry.at,
        recorded_at,
        entry.kind,
        entry.actor,
        entry.detail,
        entry.event_id,
    )
    return seq is not None


async def record_created(
    conn: Connection, ticket_ids: Iterable[UUID], recorded_at: datetime
) -> None:
    await conn.execute(_RECORD_CREATED, list(ticket_ids), recorded_at)


async def page(conn: Connection, ticket_id: UUID, *, after: int, limit: int) -> list[Recorded]:
    """Oldest first, `limit + 1` entries so the caller can tell whether more follow."""
    return [_recorded(row) for row in await conn.fetch(_PAGE, ticket_id, after, limit + 1)]


async def ticket_exists(conn: Connection, ticket_id: UUID) -> bool:
    return bool(await conn.fetchval(_TICKET_EXISTS, ticket_id))
