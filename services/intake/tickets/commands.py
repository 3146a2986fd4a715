"""What a route, a timer or an event handler asks of tickets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.intake.reports.rules import Report
from services.intake.tickets.classification import Channel, Impact, Priority
from shared.vocabulary import Category


@dataclass(frozen=True, slots=True)
class Alarm:
    """What a monitoring system reports: itself and its own code for the fault."""

    source: str
    code: str


@dataclass(frozen=True, slots=True)
class CreateTicket:
    """IN-1/IN-10: record a fault report from any channel, by customer or by serial.

    A monitoring alarm for an asset whose same alarm is still open folds into that ticket.
    """

    customer_id: UUID | None
    summary: str
    description: str
    channel: Channel
    category: Category
    impact: Impact
    region: str | None
    created_by: str
    serial: str | None = None
    manufacturer: str | None = None
    reported_at: datetime | None = None  # the call centre's clock; None: now
    contact_id: UUID | None = None
    site_id: UUID | None = None
    alarm: Alarm | None = None


# --- the centre's moves (IN-4): what POST /v1/tickets/{id}/<move> asks ---


@dataclass(frozen=True, slots=True)
class AwaitCustomer:
    ticket_id: UUID
    reason: str
    by: str


@dataclass(frozen=True, slots=True)
class ResumeTicket:
    ticket_id: UUID
    reason: str | None
    by: str


@dataclass(frozen=True, slots=True)
class ResolveTicket:
    """IN-5: the centre resolves a fault fixed by phone, with its report."""

    ticket_id: UUID
    report: Report
    by: str


@dataclass(frozen=True, slots=True)
class CloseTicket:
    ticket_id: UUID
    reason: str | None
    by: str


@dataclass(frozen=True, slots=True)
class ReopenTicket:
    ticket_id: UUID
    reason: str
    by: str


@dataclass(frozen=True, slots=True)
class CancelTicket:
    ticket_id: UUID
    reason: str
    by: str


@dataclass(frozen=True, slots=True)
class ReclassifyTicket:
    ticket_id: UUID
    priority: Priority
    reason: str
    by: str


CentreMove = (
    AwaitCustomer
    | ResumeTicket
    | ResolveTicket
    | CloseTicket
    | ReopenTicket
    | CancelTicket
    | ReclassifyTicket
)
