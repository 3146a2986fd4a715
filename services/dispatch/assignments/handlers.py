"""Assignments: every recorded ticket assigned at once, and engineers accepting their work.

Glue only: load (store), decide (lifecycle), save (store), publish. They run inside
a unit of work and never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from services.dispatch.assignments import lifecycle, store
from services.dispatch.assignments.commands import AcceptAssignment
from shared.db import UnitOfWork
from shared.events.dispatch import AssignmentAccepted


def engineer_key(engineer_id: UUID) -> tuple[str, UUID]:
    """What an engineer's long-poll waits on: any change to their assignments."""
    return ("engineer", engineer_id)


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
