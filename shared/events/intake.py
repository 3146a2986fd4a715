"""Events intake publishes on its topic: the ticket's facts."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from shared.events.base import Event, register

Priority = Literal["P1", "P2", "P3", "P4"]


class TicketEvent(Event):
    owner: ClassVar[str] = "intake"
    ticket_id: UUID

    def aggregate_id(self) -> str:
        return str(self.ticket_id)


@register
class TicketCreated(TicketEvent):
    """A fault report was recorded and classified (IN-1, IN-3)."""

    type: ClassVar[str] = "ticket.created"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11",
        "number": "T-00000042",
        "customer_id": "2b0e7d4a-8f61-4a38-9c1e-5d0c6a7b8e90",
        "priority": "P1",
        "category": "network",
        "channel": "phone",
        "summary": "Core switch down",
        "region": "north",
        "created_at": "2026-11-25T09:12:00Z",
    }
    number: str
    customer_id: UUID
    priority: Priority
    category: str
    channel: str
    summary: str
    region: str | None = None
    created_at: datetime
