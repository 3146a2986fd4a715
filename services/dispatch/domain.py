"""Dispatch rules: who gets a fault event, and what an engineer may do with it. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from shared.errors import Conflict, DomainError, NotFound
from shared.events.contracts import AssignmentAccepted, AssignmentCreated
from shared.vocabulary import Category

# DS-2: an engineer's skills are the task groups tickets are sorted into.
Skill = Category


class AssignmentStatus(StrEnum):
    assigned = "assigned"
    accepted = "accepted"


ACTIVE = (AssignmentStatus.assigned, AssignmentStatus.accepted)


@dataclass(frozen=True, slots=True)
class OpenTicket:
    ticket_id: UUID
    category: str
    region: str | None


@dataclass(frozen=True, slots=True)
class Candidate:
    engineer_id: UUID
    skills: frozenset[str]
    region: str | None
    load: int  # active assignments


@dataclass(frozen=True, slots=True)
class Assignment:
    id: UUID
    ticket_id: UUID
    engineer_id: UUID
    status: AssignmentStatus


class NotAssignable(DomainError):
    title = "Nobody can take this ticket"


class AssignmentNotFound(NotFound):
    title = "No such assignment"


class AssignmentClosed(Conflict):
    title = "Assignment can no longer change"


def can_handle(candidate: Candidate, category: str) -> bool:
    # Anything outside the named task groups goes to whoever is free.
    return category == Skill.other or category in candidate.skills


def choose_engineer(ticket: OpenTicket, candidates: list[Candidate]) -> Candidate:
    """DS-1/DS-2: the least-loaded engineer with the skill, preferring the ticket's own region."""
    skilled = [c for c in candidates if can_handle(c, ticket.category)]
    if not skilled:
        raise NotAssignable(f"no active engineer has the skill {ticket.category!r}", reason="no_skilled_engineer")
    local = [c for c in skilled if ticket.region is not None and c.region == ticket.region]
    # The mobile pool (DS-2) covers regions without a local engineer.
    pool = local or skilled
    return min(pool, key=lambda c: (c.load, str(c.engineer_id)))


def assign(ticket: OpenTicket, engineer: Candidate, at: datetime) -> AssignmentCreated:
    return AssignmentCreated(ticket_id=ticket.ticket_id, assignment_id=uuid4(), engineer_id=engineer.engineer_id,
                             assigned_at=at)


def accept(assignment: Assignment, at: datetime) -> AssignmentAccepted | None:
    """The engineer takes the job. Accepting twice is a retry from a phone on a bad network, not an error."""
    if assignment.status is AssignmentStatus.accepted:
        return None
    if assignment.status is not AssignmentStatus.assigned:
        raise AssignmentClosed(f"assignment {assignment.id} is {assignment.status}")
    return AssignmentAccepted(ticket_id=assignment.ticket_id, assignment_id=assignment.id,
                              engineer_id=assignment.engineer_id, accepted_at=at)
