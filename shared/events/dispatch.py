"""Events dispatch publishes on its topic: who was sent to which ticket, and what they did."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shared.events.base import Event, register
from shared.events.intake import Report

_TICKET = "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11"
_ASSIGNMENT = "0c9b8a7d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"
_ENGINEER = "7d6c5b4a-3f2e-4d1c-9b0a-8e7f6d5c4b3a"
_INSPECTION = "4e3d2c1b-0a9f-4e8d-b7c6-a5b4c3d2e1f0"
_CONTRACT = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
_SITE = "0d6c1f7e-5a3b-4c2d-8e9f-1a2b3c4d5e6f"

# DS-7: a major fault sends a senior expert to lead and a maintainer to support.
Role = Literal["lead", "support"]


class AssignmentEvent(Event):
    owner: ClassVar[str] = "dispatch"
    ticket_id: UUID

    def aggregate_id(self) -> str:
        return str(self.ticket_id)


@register
class AssignmentCreated(AssignmentEvent):
    """An engineer was assigned to a ticket: `why` is the decision's one-line summary, the
    whole explanation is at `GET /v1/tickets/{id}/dispatch`."""

    type: ClassVar[str] = "assignment.created"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": _TICKET,
        "assignment_id": _ASSIGNMENT,
        "engineer_id": _ENGINEER,
        "assigned_at": "2026-11-25T09:12:03Z",
        "role": "lead",
        "why": "resident engineer, 12 min away, load 1/4",
        "respond_by": "2026-11-25T09:17:03Z",
    }
    assignment_id: UUID
    engineer_id: UUID
    assigned_at: datetime
    role: Role = "lead"  # absent in events from before crews: one engineer, who led
    why: str = ""
    respond_by: datetime | None = None  # accept by then, or the next candidate gets it


@register
class AssignmentUnassigned(AssignmentEvent):
    """No engineer could be assigned: `reason` says which rule left nobody, `considered` who
    was weighed (the explanation at `GET /v1/tickets/{id}/dispatch` says why not each)."""

    type: ClassVar[str] = "assignment.unassigned"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": _TICKET,
        "reason": "candidates_exhausted",
        "considered": [_ENGINEER],
        "at": "2026-11-25T09:12:03Z",
    }
    reason: str
    at: datetime
    considered: list[UUID] = []


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
    accepted_at: datetime  # the phone's time


@register
class AssignmentDeclined(AssignmentEvent):
    """The engineer turned the job down with a reason: the next candidate gets it."""

    type: ClassVar[str] = "assignment.declined"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": _TICKET,
        "assignment_id": _ASSIGNMENT,
        "engineer_id": _ENGINEER,
        "occurred_at": "2026-11-25T09:14:00Z",
        "reason": "On another P1 across town",
    }
    assignment_id: UUID
    engineer_id: UUID
    occurred_at: datetime
    reason: str


@register
class AssignmentTimedOut(AssignmentEvent):
    """Nobody accepted within the priority's acceptance time: the next candidate gets it."""

    type: ClassVar[str] = "assignment.timed_out"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": _TICKET,
        "assignment_id": _ASSIGNMENT,
        "engineer_id": _ENGINEER,
        "respond_by": "2026-11-25T09:17:03Z",
        "at": "2026-11-25T09:17:04Z",
    }
    assignment_id: UUID
    engineer_id: UUID
    respond_by: datetime
    at: datetime


@register
class AssignmentCancelled(AssignmentEvent):
    """The work was withdrawn: the ticket was cancelled or closed, or a lead reassigned it."""

    type: ClassVar[str] = "assignment.cancelled"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": _TICKET,
        "assignment_id": _ASSIGNMENT,
        "engineer_id": _ENGINEER,
        "reason": "ticket.cancelled",
        "at": "2026-11-25T09:30:00Z",
    }
    assignment_id: UUID
    engineer_id: UUID
    reason: str
    at: datetime


class Position(BaseModel):
    """Where the phone was when the engineer reported (WGS 84)."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    latitude: float
    longitude: float
    accuracy_m: float | None = None


@register
class AssignmentDeparted(AssignmentEvent):
    """The engineer set off for the site."""

    type: ClassVar[str] = "assignment.departed"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": _TICKET,
        "assignment_id": _ASSIGNMENT,
        "engineer_id": _ENGINEER,
        "occurred_at": "2026-11-25T09:25:00Z",
        "position": {"latitude": 31.2, "longitude": 121.5, "accuracy_m": 30.0},
    }
    assignment_id: UUID
    engineer_id: UUID
    occurred_at: datetime
    position: Position | None = None


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
        "role": "lead",
    }
    assignment_id: UUID
    engineer_id: UUID
    occurred_at: datetime
    report: Report
    role: Role = "lead"  # a crew's support finishing does not resolve the ticket


class Reading(BaseModel):
    """One site-check reading outside the seed's limits (DS-8), with the remedy promised."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    reading: str
    value: float | bool
    limit: str
    remedy: str


class InspectionEvent(Event):
    owner: ClassVar[str] = "dispatch"
    inspection_id: UUID
    contract_id: UUID
    site_id: UUID | None = None
    month: str  # YYYY-MM, in the site's time zone

    def aggregate_id(self) -> str:
        return str(self.inspection_id)


@register
class InspectionScheduled(InspectionEvent):
    """This month's on-site inspection of a contract was scheduled (DS-6)."""

    type: ClassVar[str] = "inspection.scheduled"
    example: ClassVar[dict[str, Any]] = {
        "inspection_id": _INSPECTION,
        "contract_id": _CONTRACT,
        "site_id": _SITE,
        "month": "2026-11",
        "engineer_id": _ENGINEER,
        "due_by": "2026-11-30",
        "at": "2026-11-01T00:00:05Z",
    }
    # The contract's resident engineer when active, else the least loaded covering the site's
    # region or in the mobile pool; None: nobody active covers it.
    engineer_id: UUID | None = None
    due_by: date  # the month's last day
    at: datetime


@register
class InspectionCompleted(InspectionEvent):
    """The inspection report was filed: readings, nonconformities with remedies (DS-6, DS-8)."""

    type: ClassVar[str] = "inspection.completed"
    example: ClassVar[dict[str, Any]] = {
        "inspection_id": _INSPECTION,
        "contract_id": _CONTRACT,
        "site_id": _SITE,
        "month": "2026-11",
        "engineer_id": _ENGINEER,
        "readings": {"supply_voltage_v": 231.0, "earth_resistance_ohm": 1.4},
        "nonconformities": [
            {
                "reading": "earth_resistance_ohm",
                "value": 1.4,
                "limit": "< 1 Ω",
                "remedy": "Re-bond the rack earth to the building's earth bar",
            }
        ],
        "findings": "Dust in the core switch's intake filters",
        "advice": "Clean the filters quarterly",
        "occurred_at": "2026-11-12T10:30:00Z",
    }
    engineer_id: UUID
    readings: dict[str, float | bool]  # every site-check reading, by name
    nonconformities: list[Reading]  # the readings outside the seed's limits, each with its remedy
    findings: str
    advice: str
    occurred_at: datetime
