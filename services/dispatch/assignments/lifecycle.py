"""An assignment's life as a transition table, and the events its moves cause. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from uuid import UUID, uuid4

from services.dispatch.assignments.scoring import Candidate, OpenTicket
from shared.errors import Conflict, NotFound
from shared.events.dispatch import AssignmentAccepted, AssignmentCreated


class AssignmentStatus(StrEnum):
    assigned = "assigned"
    accepted = "accepted"


class Move(StrEnum):
    accept = "accept"


# A pair missing here: the assignment can no longer change that way (409).
TRANSITIONS: Mapping[tuple[AssignmentStatus, Move], AssignmentStatus] = MappingProxyType(
    {
        (AssignmentStatus.assigned, Move.accept): AssignmentStatus.accepted,
    }
)

# Assignments that hold an engineer's time: the load the scoring weighs.
ACTIVE = (AssignmentStatus.assigned, AssignmentStatus.accepted)


@dataclass(frozen=True, slots=True)
class Assignment:
    id: UUID
    ticket_id: UUID
    engineer_id: UUID
    status: AssignmentStatus


class AssignmentNotFound(NotFound):
    title = "No such assignment"


class AssignmentClosed(Conflict):
    title = "Assignment can no longer change"


def assign(ticket: OpenTicket, engineer: Candidate, at: datetime) -> AssignmentCreated:
    return AssignmentCreated(
        ticket_id=ticket.ticket_id,
        assignment_id=uuid4(),
        engineer_id=engineer.engineer_id,
        assigned_at=at,
    )


def _moved(assignment: Assignment, how: Move) -> AssignmentStatus | None:
    """The status after `how`; None when `how` already took effect (a retry)."""
    to = TRANSITIONS.get((assignment.status, how))
    if to is not None:
        return to
    # A move repeated after it took effect is a retry from a phone on a bad network.
    if any(
        move is how and target == assignment.status for (_, move), target in TRANSITIONS.items()
    ):
        return None
    raise AssignmentClosed(f"assignment {assignment.id} is {assignment.status}")


def accept(assignment: Assignment, at: datetime) -> AssignmentAccepted | None:
    """The engineer takes the job; accepting twice is a harmless retry, not an error."""
    if _moved(assignment, Move.accept) is None:
        return None
    return AssignmentAccepted(
        ticket_id=assignment.ticket_id,
        assignment_id=assignment.id,
        engineer_id=assignment.engineer_id,
        accepted_at=at,
    )
