"""What a route asks of follow-ups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.intake.followups.rules import Outcome


@dataclass(frozen=True, slots=True)
class RecordFollowUp:
    """IN-7: who called the customer, when, and what came of it."""

    ticket_id: UUID
    called_by: str
    called_at: datetime
    outcome: Outcome
    notes: str | None
    by: str
