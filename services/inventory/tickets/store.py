"""The read model of intake's tickets: what reservations and loaners are made against."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from asyncpg import Connection

from shared.events.intake import TicketCreated

COLUMNS = (
    "id, number, priority, received_at, customer_id, site_id, contract_id, asset_serial, "
    "asset_manufacturer, asset_model, status"
)
_RECORD = """
INSERT INTO inventory.tickets (id, number, priority, received_at, customer_id, site_id,
    contract_id, asset_serial, asset_manufacturer, asset_model)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING"""
_GET = f"SELECT {COLUMNS} FROM inventory.tickets WHERE id = $1"
_SET_STATUS = "UPDATE inventory.tickets SET status = $2 WHERE id = $1"


async def record(conn: Connection, ticket: TicketCreated, at: datetime) -> None:
    await conn.execute(
        _RECORD,
        ticket.ticket_id,
        ticket.number,
        ticket.priority,
        at,
        ticket.customer_id,
        ticket.site_id,
        ticket.contract_id,
        ticket.asset_serial and ticket.asset_serial[:100],
        ticket.asset_manufacturer and ticket.asset_manufacturer[:100],
        ticket.asset_model and ticket.asset_model[:100],
    )


async def get(conn: Connection, ticket_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_GET, ticket_id)
    return None if row is None else dict(row)


async def set_status(conn: Connection, ticket_id: UUID, status: str) -> None:
    await conn.execute(_SET_STATUS, ticket_id, status)
