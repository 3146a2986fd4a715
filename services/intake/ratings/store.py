"""Every statement about rating links and ratings, as constants."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from asyncpg import Connection

from services.intake.ratings.rules import Link, RateableTicket

# The latest resolution (a close keeps it, a reopen clears it): the link's 30 days and the
# engineer review's month both count from it.
RESOLVED_AT = "resolved_at"

_TICKET = f"SELECT id, status, {RESOLVED_AT} AS resolved_at FROM intake.tickets WHERE id = $1"
_LINK = "SELECT ticket_id, issued_at, expires_at FROM intake.rating_links WHERE ticket_id = $1"
# A link is replaced only once it has expired, so two first requests racing agree on one.
_SAVE_LINK = """
INSERT INTO intake.rating_links AS l (ticket_id, issued_at, expires_at) VALUES ($1, $2, $3)
ON CONFLICT (ticket_id) DO UPDATE SET issued_at = EXCLUDED.issued_at, expires_at = EXCLUDED.expires_at
WHERE l.expires_at <= EXCLUDED.issued_at
RETURNING ticket_id, issued_at, expires_at"""
_ENGINEERS = """
SELECT coalesce(array_agg(engineer_id ORDER BY assigned_at, engineer_id), '{}')
FROM intake.ticket_engineers WHERE ticket_id = $1"""
RATING_COLUMNS = "ticket_id, score, comment, engineer_ids, recorded_at"
# The primary key makes the second rating of a ticket a no-op the handler turns into a 409.
_INSERT_RATING = f"""
INSERT INTO intake.ratings ({RATING_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (ticket_id) DO NOTHING RETURNING {RATING_COLUMNS}"""


def _link(row: Any) -> Link:
    return Link(row["ticket_id"], issued_at=row["issued_at"], expires_at=row["expires_at"])


async def ticket(conn: Connection, ticket_id: UUID) -> RateableTicket | None:
    row = await conn.fetchrow(_TICKET, ticket_id)
    return None if row is None else RateableTicket(row["id"], row["status"], row["resolved_at"])


async def link(conn: Connection, ticket_id: UUID) -> Link | None:
    row = await conn.fetchrow(_LINK, ticket_id)
    return None if row is None else _link(row)


async def save_link(conn: Connection, new: Link) -> Link:
    """The link now on record: `new`, or the one a concurrent request saved first."""
    row = await conn.fetchrow(_SAVE_LINK, new.ticket_id, new.issued_at, new.expires_at)
    if row is None:
        row = await conn.fetchrow(_LINK, new.ticket_id)
    return _link(row)


async def engineers_of(conn: Connection, ticket_id: UUID) -> list[UUID]:
    return list(await conn.fetchval(_ENGINEERS, ticket_id))


async def insert_rating(
    conn: Connection,
    ticket_id: UUID,
    score: int,
    comment: str | None,
    engineer_ids: list[UUID],
    at: datetime,
) -> dict[str, Any] | None:
    """The rating recorded, or None when the ticket already had one."""
    row = await conn.fetchrow(_INSERT_RATING, ticket_id, score, comment, engineer_ids, at)
    return None if row is None else dict(row)
