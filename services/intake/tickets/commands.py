"""What a route, a timer or an event handler asks of tickets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.intake.tickets.classification import Channel, Impact
from services.intake.tickets.lifecycle import Move
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


@dataclass(frozen=True, slots=True)
class MoveTicket:
    """IN-4: a move of the ticket's lifecycle, from the centre or a fact from dispatch."""

    ticket_id: UUID
    how: Move
