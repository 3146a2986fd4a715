"""What a route, an offline batch or an event handler asks of assignments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.dispatch.assignments.lifecycle import Move
from shared.events.dispatch import Position
from shared.events.intake import Report


@dataclass(frozen=True, slots=True)
class ActOnAssignment:
    """DS-3: the engineer's phone reports a step at its own time.

    `engineer_id` None: a dispatcher acts on the engineer's behalf. `reason` goes with a
    decline, `report` with a completion, `position` with a departure or an arrival.
    """

    assignment_id: UUID
    engineer_id: UUID | None
    move: Move
    occurred_at: datetime
    by: str
    position: Position | None = None
    reason: str | None = None
    report: Report | None = None


@dataclass(frozen=True, slots=True)
class QueuedAction:
    """One action of an offline batch, keyed as the single route would key it.

    `key` is the phone's own key scoped like the route's (principal aside), `fingerprint`
    the hash of what the route's body would have been, `path` the route's path: an action
    sent alone and again in a batch is one action.
    """

    key: str
    phone_key: str
    fingerprint: str
    path: str
    action: ActOnAssignment


@dataclass(frozen=True, slots=True)
class ApplyActions:
    """An offline phone's queue, uploaded at once (DS-3)."""

    principal: str
    actions: tuple[QueuedAction, ...]


@dataclass(frozen=True, slots=True)
class ReportPosition:
    """Where the engineer's phone is: the travel estimates start here."""

    engineer_id: UUID
    position: Position
    occurred_at: datetime
