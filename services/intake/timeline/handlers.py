"""The timeline: what other services said about a ticket, recorded as they said it.

Only facts that move nothing live here (an SLA clock met or breached); facts that move the
ticket are recorded by the tickets slice as it moves it, in the same transaction.
"""

from __future__ import annotations

from uuid import UUID

from services.intake.timeline import store
from services.intake.timeline.store import Entry, Recorded
from shared.db import UnitOfWork
from shared.events.envelope import Envelope
from shared.events.escalation import SlaBreached, SlaMet

ESCALATION = "escalation"


async def record(uow: UnitOfWork, entry: Entry) -> bool:
    return await store.record(uow.conn, entry, uow.now)


async def page(
    uow: UnitOfWork, ticket_id: UUID, *, after: int, limit: int
) -> list[Recorded] | None:
    """None when there is no such ticket (an empty page is a ticket with no more entries)."""
    entries = await store.page(uow.conn, ticket_id, after=after, limit=limit)
    if not entries and not await store.ticket_exists(uow.conn, ticket_id):
        return None
    return entries


async def ticket_exists(uow: UnitOfWork, ticket_id: UUID) -> bool:
    return await store.ticket_exists(uow.conn, ticket_id)


async def on_sla_met(event: SlaMet, envelope: Envelope, uow: UnitOfWork) -> None:
    await record(
        uow,
        Entry(
            ticket_id=event.ticket_id,
            at=event.met_at,
            kind=SlaMet.type,
            actor=ESCALATION,
            detail={
                "clock_id": str(event.clock_id),
                "clock": event.kind,
                "due_at": event.due_at.isoformat(),
                "met_at": event.met_at.isoformat(),
            },
            event_id=envelope.id,
        ),
    )


async def on_sla_breached(event: SlaBreached, envelope: Envelope, uow: UnitOfWork) -> None:
    await record(
        uow,
        Entry(
            ticket_id=event.ticket_id,
            at=event.due_at,  # a clock is breached the moment its deadline passes
            kind=SlaBreached.type,
            actor=ESCALATION,
            detail={
                "clock_id": str(event.clock_id),
                "clock": event.kind,
                "due_at": event.due_at.isoformat(),
            },
            event_id=envelope.id,
        ),
    )


# Not an event map of its own: reporting's SLA handlers call these (one handler per type).
