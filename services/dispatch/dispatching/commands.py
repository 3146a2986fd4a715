"""What a route, a timer or an event handler asks of dispatching."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Reassign:
    """A team lead sends another engineer in place of the one on the ticket (in the role)."""

    ticket_id: UUID
    engineer_id: UUID
    reason: str
    role: str
    by: str


@dataclass(frozen=True, slots=True)
class FireTimeouts:
    """Time out every assignment left unanswered past its acceptance time, and ask the next."""

    batch: int = 50
