"""Escalation's event handlers and timers. They run inside a unit of work and never commit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from services.escalation import domain
from shared.db import UnitOfWork
from shared.events.contracts import AssignmentAccepted, SlaBreached, SlaMet, TicketCreated
from shared.events.envelope import Envelope

CLOCK_COLUMNS = "id, ticket_id, kind, priority, calendar, started_at, due_at, met_at, breached_at"


async def on_ticket_created(event: TicketCreated, envelope: Envelope, uow: UnitOfWork) -> None:
    """ES-1/ES-2: every ticket gets a response clock and a restore clock, started when it was recorded."""
    calendar = domain.AroundTheClock()
    plans = domain.plan_clocks(event.priority, event.created_at, calendar)
    await uow.conn.executemany(
        "INSERT INTO escalation.clocks (id, ticket_id, kind, priority, calendar, started_at, due_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (ticket_id, kind) DO NOTHING",
        [(uuid.uuid4(), event.ticket_id, p.kind.value, event.priority, calendar.name, event.created_at, p.due_at)
         for p in plans],
    )


async def on_assignment_accepted(event: AssignmentAccepted, envelope: Envelope, uow: UnitOfWork) -> None:
    """ES-2: the response clock stops when an engineer takes the job."""
    row = await uow.conn.fetchrow(
        f"UPDATE escalation.clocks SET met_at = $2 WHERE ticket_id = $1 AND kind = 'response' AND met_at IS NULL "
        f"RETURNING {CLOCK_COLUMNS}",
        event.ticket_id, event.accepted_at,
    )
    if row is not None:
        uow.publish(SlaMet(ticket_id=row["ticket_id"], clock_id=row["id"], kind=row["kind"], due_at=row["due_at"],
                           met_at=row["met_at"]))


async def fire_breaches(uow: UnitOfWork, *, limit: int = 200) -> int:
    """Mark overdue clocks breached, each exactly once across replicas (SKIP LOCKED)."""
    rows = await uow.conn.fetch(
        f"""UPDATE escalation.clocks SET breached_at = now()
            WHERE id IN (SELECT id FROM escalation.clocks
                         WHERE met_at IS NULL AND breached_at IS NULL AND due_at <= now()
                         ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED)
            RETURNING {CLOCK_COLUMNS}""",
        limit,
    )
    for row in rows:
        uow.publish(SlaBreached(ticket_id=row["ticket_id"], clock_id=row["id"], kind=row["kind"], due_at=row["due_at"]))
    return len(rows)


async def ticket_clocks(uow: UnitOfWork, ticket_id: UUID) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    records = await uow.conn.fetch(
        f"SELECT {CLOCK_COLUMNS} FROM escalation.clocks WHERE ticket_id = $1 ORDER BY kind", ticket_id
    )
    return [{**dict(r), "breached": domain.is_breached(r["due_at"], r["met_at"], now)} for r in records]


EVENT_HANDLERS = {TicketCreated.type: on_ticket_created, AssignmentAccepted.type: on_assignment_accepted}
