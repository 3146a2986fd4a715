"""SLA clocks: opened for every ticket, stopped when the job is taken, breached when late.

Glue only: load (store), decide (policy), save (store), publish. They run inside a unit of
work and never commit.
"""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from services.escalation.clocks import policy, store
from services.escalation.clocks.commands import FireBreaches
from shared.db import UnitOfWork
from shared.events.dispatch import AssignmentAccepted
from shared.events.envelope import Envelope
from shared.events.escalation import SlaBreached, SlaMet
from shared.events.intake import TicketCreated


async def on_ticket_created(event: TicketCreated, envelope: Envelope, uow: UnitOfWork) -> None:
    """ES-1/ES-2: every ticket gets a response clock and a restore clock, started when it was
    reported (IN-1: a ticket recorded offline and posted later counts from then)."""
    calendar = policy.AroundTheClock()
    plans = policy.plan_clocks(event.priority, event.reported_at, calendar)
    await store.open_clocks(
        uow.conn,
        event.ticket_id,
        event.priority,
        calendar.name,
        event.reported_at,
        plans,
        (uuid.uuid4() for _ in plans),
    )


async def on_assignment_accepted(
    event: AssignmentAccepted, envelope: Envelope, uow: UnitOfWork
) -> None:
    """ES-2: the response clock stops when an engineer takes the job."""
    clock = await store.meet_response(uow.conn, event.ticket_id, event.accepted_at)
    if clock is not None:
        uow.publish(
            SlaMet(
                ticket_id=clock["ticket_id"],
                clock_id=clock["id"],
                kind=clock["kind"],
                due_at=clock["due_at"],
                met_at=clock["met_at"],
            )
        )


async def fire_breaches(command: FireBreaches, uow: UnitOfWork) -> int:
    """Mark overdue clocks breached, each exactly once across replicas."""
    clocks = await store.breach_overdue(uow.conn, uow.now, command.limit)
    for clock in clocks:
        uow.publish(
            SlaBreached(
                ticket_id=clock["ticket_id"],
                clock_id=clock["id"],
                kind=clock["kind"],
                due_at=clock["due_at"],
            )
        )
    return len(clocks)


async def ticket_clocks(uow: UnitOfWork, ticket_id: UUID) -> list[dict[str, Any]]:
    return [
        {**clock, "breached": policy.is_breached(clock["due_at"], clock["met_at"], uow.now)}
        for clock in await store.of_ticket(uow.conn, ticket_id)
    ]


EVENTS = {TicketCreated.type: on_ticket_created, AssignmentAccepted.type: on_assignment_accepted}
