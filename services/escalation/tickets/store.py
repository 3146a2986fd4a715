"""Every SQL statement on escalation's copy of intake's tickets, and the facts kept for tickets
not heard of yet."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from asyncpg import Connection

from shared.errors import NotFound
from shared.events.intake import TicketCreated

COLUMNS = (
    "id, number, customer_id, contract_id, priority, reported_at, coverage, calendar, "
    "asset_serial, status, engineer_ids"
)

# ticket.created once per ticket, however often it is delivered.
_RECORD = f"""
INSERT INTO escalation.tickets (id, number, customer_id, contract_id, priority, reported_at,
    coverage, calendar, asset_serial)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (id) DO NOTHING
RETURNING {COLUMNS}
"""
_GET = f"SELECT {COLUMNS} FROM escalation.tickets WHERE id = $1"
# Serialises the facts of one ticket: its clocks and ladder are locked after it.
_LOCK = f"SELECT {COLUMNS} FROM escalation.tickets WHERE id = $1 FOR UPDATE"
_OF_CONTRACT = f"SELECT {COLUMNS} FROM escalation.tickets WHERE contract_id = $1 ORDER BY id"
_SET_PRIORITY = "UPDATE escalation.tickets SET priority = $2 WHERE id = $1"
_SET_STATUS = "UPDATE escalation.tickets SET status = $2 WHERE id = $1"
_ADD_ENGINEER = """
UPDATE escalation.tickets SET engineer_ids = array_append(engineer_ids, $2)
WHERE id = $1 AND NOT ($2 = ANY(engineer_ids))
"""

_KEEP_EARLY = """
INSERT INTO escalation.early_facts (event_id, ticket_id, type, payload, received_at)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING
"""
_TAKE_EARLY = """
DELETE FROM escalation.early_facts WHERE ticket_id = $1
RETURNING event_id, type, payload, received_at
"""


async def record(conn: Connection, event: TicketCreated) -> dict[str, Any] | None:
    """The ticket as recorded; None when it already was."""
    row = await conn.fetchrow(
        _RECORD,
        event.ticket_id,
        event.number,
        event.customer_id,
        event.contract_id,
        event.priority,
        event.reported_at,
        event.coverage,
        event.calendar,
        event.asset_serial,
    )
    return dict(row) if row else None


async def get(conn: Connection, ticket_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_GET, ticket_id)
    return dict(row) if row else None


async def lock(conn: Connection, ticket_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_LOCK, ticket_id)
    return dict(row) if row else None


async def of_contract(conn: Connection, contract_id: UUID) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(_OF_CONTRACT, contract_id)]


async def set_priority(conn: Connection, ticket_id: UUID, priority: str) -> None:
    await conn.execute(_SET_PRIORITY, ticket_id, priority)


async def set_status(conn: Connection, ticket_id: UUID, status: str) -> None:
    await conn.execute(_SET_STATUS, ticket_id, status)


async def add_engineer(conn: Connection, ticket_id: UUID, engineer_id: UUID) -> None:
    await conn.execute(_ADD_ENGINEER, ticket_id, engineer_id)


async def keep_early(
    conn: Connection,
    event_id: str,
    ticket_id: UUID,
    event_type: str,
    payload: dict[str, Any],
    at: datetime,
) -> None:
    await conn.execute(_KEEP_EARLY, event_id, ticket_id, event_type, payload, at)


async def take_early(conn: Connection, ticket_id: UUID) -> list[dict[str, Any]]:
    """The facts kept for the ticket, removed; in the order they arrived."""
    rows = [dict(r) for r in await conn.fetch(_TAKE_EARLY, ticket_id)]
    return sorted(rows, key=lambda r: (r["received_at"], r["event_id"]))


class TicketNotFound(NotFound):
    title = "Ticket not found"

    def __init__(self, ticket_id: UUID) -> None:
        super().__init__(f"escalation knows no ticket {ticket_id}", ticket_id=str(ticket_id))
