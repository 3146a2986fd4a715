"""Events dispatch publishes on its topic: who was sent to which ticket, and what they did."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from shared.events.base import Event, register

_TICKET = "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11"
_ASSIGNMENT = "0c9b8a7d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"
_ENGINEER = "7d6c5b4a-3f2e-4d1c-9b0a-8e7f6d5c4b3a"


class AssignmentEvent(Event):
    owner: ClassVar[str] = "dispatch"
    ticket_id: UUID

    def aggregate_id(self) -> str:
        return str(self.ticket_id)


@register
class AssignmentCreated(AssignmentEvent):
    """An engineer was assigned to a ticket."""

    type: ClassVar[str] = "assignment.created"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": _TICKET,
        "assignment_id": _ASSIGNMENT,
        "engineer_id": _ENGINEER,
        "assigned_at": "2026-11-25T09:12:03Z",
    }
    assignment_id: UUID
    engineer_id: UUID
    assigned_at: datetime


@register
class AssignmentUnassigned(AssignmentEvent):
    """No engineer could be assigned, or the assignment was withdrawn."""

    type: ClassVar[str] = "assignment.unassigned"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": _TICKET,
        "reason": "no_skilled_engineer",
        "at": "2026-11-25T09:12:03Z",
    }
    reason: str
    at: datetime


@register
class AssignmentAccepted(AssignmentEvent):
    """The assigned engineer took the job."""

    type: ClassVar[str] = "assignment.accepted"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": _TICKET,
        "assignment_id": _ASSIGNMENT,
        "engineer_id": _ENGINEER,
        "accepted_at": "2026-11-25T09:20:00Z",
    }
    assignment_id: UUID
    engineer_id: UUID
    accepted_at: datetime
