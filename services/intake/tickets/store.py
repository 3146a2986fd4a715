"""Every SQL statement about tickets, as constants; rows become dicts for answers and
`Ticket`s for the lifecycle."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from asyncpg import Connection

from services.intake.tickets.lifecycle import Status, Ticket, TicketMoved
from shared.sql import Filters

COLUMNS = (
    "id, number, customer_id, summary, description, channel, category, impact, priority, "
    "status, region, created_at, updated_at"
)

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
_GET = f"SELECT {COLUMNS} FROM intake.tickets WHERE id = $1"
_LIST = f"SELECT {COLUMNS} FROM intake.tickets"
_LOCK = "SELECT id, status FROM intake.tickets WHERE id = $1 FOR UPDATE"
_MOVE = "UPDATE intake.tickets SET status = $2, updated_at = $3 WHERE id = $1"


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
    return None if row is None else Ticket(id=row["id"], status=Status(row["status"]))


async def save_move(conn: Connection, moved: TicketMoved) -> None:
    await conn.execute(_MOVE, moved.ticket_id, moved.to.value, moved.at)
