"""Every SQL statement about tickets, as constants; rows become dicts for answers and
`Ticket`s for the lifecycle."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from asyncpg import Connection

from services.intake.tickets.lifecycle import Status, Ticket
from shared.sql import Filters

COLUMNS = (
    "id, number, customer_id, summary, description, channel, category, impact, priority, "
    "status, region, created_at, updated_at"
)

# The ticket's life after creation (IN-4): what a read shows beside COLUMNS.
LIFE_COLUMNS = "held_from, resolved_at, closed_at, cancelled_at"

# One statement for a whole batch of reports. The number comes from the sequence, and a
# report naming an unknown customer finds no row in the join: it is simply not returned.
_INSERT_MANY = f"""
INSERT INTO intake.tickets (id, number, customer_id, summary, description, channel, category,
                            impact, priority, status, region, created_by, created_at, updated_at)
SELECT u.id, 'T-' || lpad(nextval('intake.ticket_number_seq')::text, 8, '0'), c.id, u.summary,
       u.description, u.channel, u.category, u.impact, u.priority, 'new',
       coalesce(u.region, c.region), u.created_by, $10, $10
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
            $8::text[], $9::text[], $11::text[])
     WITH ORDINALITY AS u(id, customer_id, summary, description, channel, category, impact,
                          priority, region, created_by, ord)
JOIN intake.customers c ON c.id = u.customer_id
ORDER BY u.ord
RETURNING {COLUMNS}"""
_GET = f"SELECT {COLUMNS}, {LIFE_COLUMNS} FROM intake.tickets WHERE id = $1"
_LIST = f"SELECT {COLUMNS}, {LIFE_COLUMNS} FROM intake.tickets"
_LOCK = "SELECT id, status, held_from, resolved_at FROM intake.tickets WHERE id = $1 FOR UPDATE"


async def insert_many(
    conn: Connection, rows: Sequence[dict[str, Any]], at: datetime
) -> dict[UUID, dict[str, Any]]:
    """The tickets created, by id; one whose customer does not exist is missing."""

    def column(name: str) -> list[Any]:
        return [row[name] for row in rows]

    records = await conn.fetch(
        _INSERT_MANY,
        column("id"),
        column("customer_id"),
        column("summary"),
        column("description"),
        column("channel"),
        column("category"),
        column("impact"),
        column("priority"),
        column("region"),
        at,
        column("created_by"),
    )
    return {r["id"]: dict(r) for r in records}


async def get(conn: Connection, ticket_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_GET, ticket_id)
    return dict(row) if row else None


async def page(
    conn: Connection,
    *,
    after: tuple[datetime, UUID] | None,
    limit: int,
    status: str | None,
    customer_id: UUID | None,
) -> list[dict[str, Any]]:
    """Oldest first, `limit + 1` rows so the caller can tell whether more follow."""
    filters = Filters()
    if after is not None:
        filters.add("(created_at, id) > ({}, {})", *after)
    filters.add_if(status, "status = {}").add_if(customer_id, "customer_id = {}")
    where = filters.where()
    records = await conn.fetch(
        f"{_LIST} {where} ORDER BY created_at, id LIMIT {filters.param(limit + 1)}", *filters.args
    )
    return [dict(r) for r in records]


async def lock(conn: Connection, ticket_id: UUID) -> Ticket | None:
    row = await conn.fetchrow(_LOCK, ticket_id)
    if row is None:
        return None
    return Ticket(
        id=row["id"],
        status=Status(row["status"]),
        held_from=None if row["held_from"] is None else Status(row["held_from"]),
        resolved_at=row["resolved_at"],
    )


# --- the ticket's life after creation (IN-4) ---

# The end of a ticket's life is kept once: closing or cancelling stamps its time.
_SAVE = """
UPDATE intake.tickets
SET status = $2::text, held_from = $3, resolved_at = $4,
    closed_at = CASE WHEN $2::text = 'closed' THEN $5 ELSE closed_at END,
    cancelled_at = CASE WHEN $2::text = 'cancelled' THEN $5 ELSE cancelled_at END,
    updated_at = $5
WHERE id = $1"""
# The priority before the change comes from the row as the statement found it (locked already).
_RECLASSIFY = """
UPDATE intake.tickets t SET priority = $2, updated_at = $3
FROM (SELECT id, priority FROM intake.tickets WHERE id = $1) before
WHERE t.id = before.id
RETURNING before.priority"""


async def save(conn: Connection, ticket: Ticket, at: datetime) -> None:
    """The ticket as a move left it (`TicketMoved.applied_to`); `at` is the unit of work's now."""
    await conn.execute(
        _SAVE,
        ticket.id,
        ticket.status.value,
        None if ticket.held_from is None else ticket.held_from.value,
        ticket.resolved_at,
        at,
    )


async def reclassify(conn: Connection, ticket_id: UUID, priority: str, at: datetime) -> str:
    """The new priority stored; returns the old one."""
    old: str = await conn.fetchval(_RECLASSIFY, ticket_id, priority, at)
    return old
