"""The read model of intake's tickets: what reservations will be made against."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from asyncpg import Connection

_RECORD = (
    "INSERT INTO inventory.tickets (id, number, priority, received_at) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING"
)


async def record(
    conn: Connection, ticket_id: UUID, number: str, priority: str, at: datetime
) -> None:
    await conn.execute(_RECORD, ticket_id, number, priority, at)
