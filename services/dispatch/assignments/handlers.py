"""Assignments: every recorded ticket assigned at once, and the engineer's phone reporting
each step of the work (DS-3), live or from an offline queue.

Glue only: load (store), decide (lifecycle, rules), save (store), publish. They run inside
a unit of work and never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from services.dispatch.assignments import lifecycle, rules, store
from services.dispatch.assignments.commands import ActOnAssignment, ReportPosition
from services.dispatch.assignments.lifecycle import Move
from services.dispatch.dispatching import handlers as dispatching
from services.dispatch.engineers.handlers import EngineerNotFound
from shared.db import UnitOfWork
from shared.events.base import Event
from shared.events.dispatch import (
    AssignmentAccepted,
    AssignmentArrived,
    AssignmentCompleted,
    AssignmentDeclined,
    AssignmentDeparted,
    Role,
)

engineer_key = rules.engineer_key


async def act(command: ActOnAssignment, uow: UnitOfWork) -> dict[str, Any]:
    """DS-3: a step the phone reports at its own time; what a route and an offline batch run.

    A step already taken is a retry and answers with the assignment as it is; a step the
    assignment has gone past is a late fact: its time is recorded (and published) and the
    status stays. Declining or completing ends the assignment and frees the engineer's time.
    """
    rules.check_occurred_at(command.occurred_at, uow.now)
    if command.report is not None:
        rules.check_parts((p.serial_out, p.serial_in) for p in command.report.parts_used)
    assignment = await store.lock(uow.conn, command.assignment_id)
    # Someone else's assignment is reported as missing: an engineer learns nothing of others' work.
    if assignment is None or command.engineer_id not in (None, assignment.engineer_id):
        raise lifecycle.AssignmentNotFound(f"no assignment {command.assignment_id}")
    moved = lifecycle.move(assignment, command.move, command.occurred_at)
    if moved is None:
        return await store.get(uow.conn, command.assignment_id)  # type: ignore[return-value]
    position = None if command.position is None else command.position.model_dump(mode="json")
    report = None if command.report is None else command.report.model_dump(mode="json")
    if moved.ends:
        reason = command.reason if moved.how is Move.decline else None
        await store.end(uow.conn, assignment.id, moved.to, moved.at, reason, now=uow.now)
    if moved.how in lifecycle.TIMED:
        row = await store.record_step(
            uow.conn, moved, now=uow.now, position=position, report=report
        )
    else:
        row = await store.get(uow.conn, assignment.id)  # type: ignore[assignment]
    detail = {
        k: v
        for k, v in (("position", position), ("reason", command.reason), ("report", report))
        if v is not None
    }
    await store.append_action(uow.conn, moved, received_at=uow.now, by=command.by, detail=detail)
    if command.position is not None:
        await store.keep_position(
            uow.conn,
            assignment.engineer_id,
            command.position.latitude,
            command.position.longitude,
            moved.at,
            uow.now,
        )
    uow.publish(_event(moved, command))
    uow.changed(engineer_key(assignment.engineer_id))
    if moved.how is Move.decline:
        await dispatching.replace(
            uow, assignment.ticket_id, assignment.role, trigger=AssignmentDeclined.type
        )
    return row


def _event(moved: lifecycle.Moved, command: ActOnAssignment) -> Event:
    """The fact the step is, at the phone's time, late or not: consumers keep their own order."""
    a = moved.assignment
    ids = {"ticket_id": a.ticket_id, "assignment_id": a.id, "engineer_id": a.engineer_id}
    if moved.how is Move.accept:
        return AssignmentAccepted(**ids, accepted_at=moved.at)
    if moved.how is Move.decline:
        return AssignmentDeclined(**ids, occurred_at=moved.at, reason=command.reason or "")
    if moved.how is Move.depart:
        return AssignmentDeparted(**ids, occurred_at=moved.at, position=command.position)
    if moved.how is Move.arrive:
        return AssignmentArrived(**ids, occurred_at=moved.at, position=command.position)
    if moved.how is Move.complete and command.report is not None:
        role: Role = "support" if a.role == "support" else "lead"
        return AssignmentCompleted(**ids, occurred_at=moved.at, report=command.report, role=role)
    raise TypeError(f"{moved.how} is not a phone's step, or came without its report")


async def report_position(command: ReportPosition, uow: UnitOfWork) -> dict[str, Any]:
    """Where the engineer's phone is; a position of an older phone time than the one kept is not."""
    rules.check_occurred_at(command.occurred_at, uow.now)
    kept = await store.keep_position(
        uow.conn,
        command.engineer_id,
        command.position.latitude,
        command.position.longitude,
        command.occurred_at,
        uow.now,
    )
    if kept is None:
        raise EngineerNotFound(command.engineer_id)
    return kept


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


async def history(uow: UnitOfWork, assignment_id: UUID) -> list[dict[str, Any]]:
    return await store.history(uow.conn, assignment_id)
