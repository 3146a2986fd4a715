"""Assignments: every recorded ticket assigned at once, and engineers accepting their work.

Glue only: load (store), decide (scoring, lifecycle), save (store), publish. They run inside
a unit of work and never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from services.dispatch.assignments import lifecycle, store
from services.dispatch.assignments.commands import AcceptAssignment
from services.dispatch.assignments.scoring import NotAssignable, OpenTicket, choose_engineer
from shared.db import UnitOfWork
from shared.events.dispatch import AssignmentAccepted, AssignmentCreated, AssignmentUnassigned
from shared.events.envelope import Envelope
from shared.events.intake import TicketCreated


def engineer_key(engineer_id: UUID) -> tuple[str, UUID]:
    """What an engineer's long-poll waits on: any change to their assignments."""
    return ("engineer", engineer_id)


async def on_ticket_created(event: TicketCreated, envelope: Envelope, uow: UnitOfWork) -> None:
    """IN-2/DS-1: every recorded ticket is assigned at once, or reported as unassignable."""
    await store.record_ticket(
        uow.conn,
        event.ticket_id,
        event.number,
        event.priority,
        event.category,
        event.region,
        uow.now,
    )
    ticket = OpenTicket(event.ticket_id, event.category, event.region)
    try:
        engineer = choose_engineer(ticket, await store.candidates_alone(uow.conn))
    except NotAssignable as exc:
        reason = exc.context["reason"]
        await store.mark_unassigned(uow.conn, event.ticket_id, reason)
        uow.publish(AssignmentUnassigned(ticket_id=event.ticket_id, reason=reason, at=uow.now))
        return
    created = AssignmentCreated(
        ticket_id=ticket.ticket_id,
        assignment_id=uuid4(),
        engineer_id=engineer.engineer_id,
        assigned_at=uow.now,
    )
    await store.insert(
        uow.conn, created.assignment_id, created.ticket_id, created.engineer_id, created.assigned_at
    )
    uow.publish(created)
    uow.changed(engineer_key(created.engineer_id))


async def accept_assignment(command: AcceptAssignment, uow: UnitOfWork) -> dict[str, Any]:
    assignment = await store.lock(uow.conn, command.assignment_id)
    # Someone else's assignment is reported as missing: an engineer learns nothing of others' work.
    if assignment is None or command.engineer_id not in (None, assignment.engineer_id):
        raise lifecycle.AssignmentNotFound(f"no assignment {command.assignment_id}")
    moved = lifecycle.move(assignment, lifecycle.Move.accept, uow.now)
    if moved is None:
        return await store.get(uow.conn, command.assignment_id)  # type: ignore[return-value]
    accepted = AssignmentAccepted(
        ticket_id=assignment.ticket_id,
        assignment_id=assignment.id,
        engineer_id=assignment.engineer_id,
        accepted_at=moved.at,
    )
    row = await store.save_accepted(uow.conn, command.assignment_id, accepted.accepted_at)
    uow.publish(accepted)
    uow.changed(engineer_key(accepted.engineer_id))
    return row


async def ticket_assignments(
    uow: UnitOfWork, ticket_id: UUID, *, engineer_id: UUID | None
) -> list[dict[str, Any]]:
    return await store.of_ticket(uow.conn, ticket_id, engineer_id=engineer_id)


async def engineer_assignments(
    uow: UnitOfWork,
    engineer_id: UUID,
    *,
    after: tuple[datetime, UUID] | None,
    limit: int,
    status: str | None,
) -> list[dict[str, Any]]:
    return await store.of_engineer(uow.conn, engineer_id, after=after, limit=limit, status=status)


async def get_assignment(uow: UnitOfWork, assignment_id: UUID) -> dict[str, Any] | None:
    return await store.get(uow.conn, assignment_id)


EVENTS = {TicketCreated.type: on_ticket_created}
