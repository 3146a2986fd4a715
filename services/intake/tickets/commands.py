"""What a route, a timer or an event handler asks of tickets."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.intake.tickets.classification import Channel, Impact
from services.intake.tickets.lifecycle import Move
from shared.vocabulary import Category


@dataclass(frozen=True, slots=True)
class CreateTicket:
    """IN-1: record a fault report."""

    customer_id: UUID
    summary: str
    description: str
    channel: Channel
    category: Category
    impact: Impact
    region: str | None
    created_by: str


@dataclass(frozen=True, slots=True)
class MoveTicket:
    """IN-4: a move of the ticket's lifecycle, from the centre or a fact from dispatch."""

    ticket_id: UUID
    how: Move
