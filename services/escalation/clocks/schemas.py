"""What clients receive about SLA clocks."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from services.escalation.clocks.policy import ClockKind


class ClockPublic(BaseModel):
    id: UUID
    ticket_id: UUID
    kind: ClockKind
    priority: str
    calendar: str
    started_at: datetime
    due_at: datetime
    met_at: datetime | None
    breached: bool
