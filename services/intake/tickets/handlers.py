"""Tickets: record fault reports, and move them as dispatch reports its facts.

Glue only: load (store), decide (lifecycle, classification), save (store), publish.
They run inside a unit of work and never commit.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from services.intake.tickets import lifecycle, store
from services.intake.tickets.classification import UnknownCustomer, classify
from services.intake.tickets.commands import CreateTicket, MoveTicket
from services.intake.tickets.lifecycle import Move, TicketMoved
from shared.db import UnitOfWork
from shared.errors import DomainError
from shared.events.base import Event
from shared.events.dispatch import AssignmentAccepted, AssignmentCreated, AssignmentUnassigned
from shared.events.envelope import Envelope
from shared.events.intake import TicketCreated

# What a create answers with: the new row and the events it causes, or the refusal.
Created = tuple[dict[str, Any], list[Event]]


async def create_tickets(
    uow: UnitOfWork, commands: list[CreateTicket]
) -> list[Created | DomainError]:
    """IN-1/IN-2/IN-3: record a batch of fault reports in one statement, each classified and
    handed on. The ticket and its `ticket.created` commit together, so dispatch and escalation
    always hear of it."""
    ids = [uuid.uuid4() for _ in commands]
    created = await store.insert_many(
        uow.conn,
        [
            {
                "id": ticket_id,
                "customer_id": c.customer_id,
                "summary": c.summary,
                "description": c.description,
                "channel": c.channel.value,
                "category": c.category.value,
                "impact": c.impact.value,
                "priority": classify(c.impact).value,
                "region": c.region,
                "created_by": c.created_by,
            }
            for ticket_id, c in zip(ids, commands, strict=True)
        ],
        uow.now,
    )
    results: list[Created | DomainError] = []
    for ticket_id, command in zip(ids, commands, strict=True):
        ticket = created.get(ticket_id)
        if ticket is None:
            results.append(
                UnknownCustomer(
                    f"customer {command.customer_id} does not exist",
                    customer_id=command.customer_id,
                )
            )
            continue
        results.append(
            (
                ticket,
                [
                    TicketCreated(
                        ticket_id=ticket["id"],
                        number=ticket["number"],
                        customer_id=ticket["customer_id"],
                        priority=ticket["priority"],
                        category=ticket["category"],
                        channel=ticket["channel"],
                        summary=ticket["summary"],
                        region=ticket["region"],
                        created_at=ticket["created_at"],
                    )
                ],
            )
        )
    return results


async def get_ticket(uow: UnitOfWork, ticket_id: UUID) -> dict[str, Any] | None:
    return await store.get(uow.conn, ticket_id)


async def list_tickets(
    uow: UnitOfWork,
    *,
    after: tuple[datetime, UUID] | None,
    limit: int,
    status: str | None,
    customer_id: UUID | None,
) -> list[dict[str, Any]]:
    return await store.page(
        uow.conn, after=after, limit=limit, status=status, customer_id=customer_id
    )


async def move_ticket(command: MoveTicket, uow: UnitOfWork) -> TicketMoved | None:
    """IN-4: the move if the lifecycle allows it; None when a fact changes nothing."""
    ticket = await store.lock(uow.conn, command.ticket_id)
    if ticket is None:
        raise lifecycle.TicketNotFound(f"no ticket {command.ticket_id}")
    moved = lifecycle.move(ticket, command.how, uow.now)
    if moved is not None:
        await store.save_move(uow.conn, moved)
    return moved


async def _record_fact(ticket_id: UUID, fact: Move, uow: UnitOfWork) -> None:
    try:
        await move_ticket(MoveTicket(ticket_id, fact), uow)
    except lifecycle.TicketNotFound:
        return  # not ours (another deployment's ticket on a shared topic): nothing to move


async def on_assignment_created(
    event: AssignmentCreated, envelope: Envelope, uow: UnitOfWork
) -> None:
    await _record_fact(event.ticket_id, Move.assigned, uow)


async def on_assignment_unassigned(
    event: AssignmentUnassigned, envelope: Envelope, uow: UnitOfWork
) -> None:
    await _record_fact(event.ticket_id, Move.unassigned, uow)


async def on_assignment_accepted(
    event: AssignmentAccepted, envelope: Envelope, uow: UnitOfWork
) -> None:
    await _record_fact(event.ticket_id, Move.accepted, uow)


EVENTS = {
    AssignmentCreated.type: on_assignment_created,
    AssignmentUnassigned.type: on_assignment_unassigned,
    AssignmentAccepted.type: on_assignment_accepted,
}
