"""What a route or an event handler asks of assignments."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, slots=True)
class AcceptAssignment:
    """The engineer takes the job. `engineer_id` None: a dispatcher accepts on their behalf."""

    assignment_id: UUID
    engineer_id: UUID | None
