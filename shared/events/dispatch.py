"""Events dispatch publishes on its topic: who was sent to which ticket, and what they did."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shared.events.base import Event, register
from shared.events.intake import Report

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


class Position(BaseModel):
    """Where the phone was when the engineer reported (WGS 84)."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    latitude: float
    longitude: float
    accuracy_m: float | None = None


@register
class AssignmentArrived(AssignmentEvent):
    """The engineer reported arriving on site: the on-site clock stops."""

    type: ClassVar[str] = "assignment.arrived"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": _TICKET,
        "assignment_id": _ASSIGNMENT,
        "engineer_id": _ENGINEER,
        "occurred_at": "2026-11-25T10:05:00Z",
        "position": {"latitude": 31.2304, "longitude": 121.4737, "accuracy_m": 12.0},
    }
    assignment_id: UUID
    engineer_id: UUID
    occurred_at: datetime  # the phone's time: it may report late, after a dead spot
    position: Position | None = None


@register
class AssignmentCompleted(AssignmentEvent):
    """The engineer finished the work and filed the service report (IN-5): intake resolves."""

    type: ClassVar[str] = "assignment.completed"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": _TICKET,
        "assignment_id": _ASSIGNMENT,
        "engineer_id": _ENGINEER,
        "occurred_at": "2026-11-25T11:15:00Z",
        "report": {
            "work_done": "Replaced the failed power supply and verified redundancy",
            "root_cause": "PSU 2 fan seized",
            "fault_type": "hardware",
            "parts_used": [
                {
                    "part_number": "02312PSU",
                    "serial_out": "PSU-0001",
                    "serial_in": "PSU-0942",
                    "quantity": 1,
                }
            ],
            "minutes_on_site": 70,
        },
    }
    assignment_id: UUID
    engineer_id: UUID
    occurred_at: datetime
    report: Report
