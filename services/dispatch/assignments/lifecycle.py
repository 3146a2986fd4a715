"""An assignment's life as a transition table, and what a move records. Pure: no I/O.

```
assigned ─accept─▶ accepted ─depart─▶ departed ─arrive─▶ on_site ─complete─▶ completed
   │                  │  └──────────arrive──────────────────▲
   ├─decline─▶ declined ◀─decline─┘
   ├─time_out─▶ timed_out
   └─(any live status) cancel ─▶ cancelled
```

Phones report late: a move that the assignment has already gone past (a `depart` uploaded
after the `arrive` that followed it) is a *late fact*. It changes no status, but its time is
recorded, so the history reads as it happened on the phone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from uuid import UUID

from shared.diagrams import state_diagram
from shared.errors import NotFound
from shared.lifecycle import IllegalMove as IllegalMove
from shared.lifecycle import allowed_from as moves_in


class AssignmentStatus(StrEnum):
    assigned = "assigned"
    accepted = "accepted"
    departed = "departed"
    on_site = "on_site"
    completed = "completed"
    declined = "declined"
    timed_out = "timed_out"
    cancelled = "cancelled"


class Move(StrEnum):
    accept = "accept"
    decline = "decline"
    depart = "depart"
    arrive = "arrive"
    complete = "complete"
    time_out = "time_out"
    cancel = "cancel"


S, M = AssignmentStatus, Move

# DS-3: a pair missing here is an illegal move (409 naming the current status and the moves allowed).
TRANSITIONS: Mapping[tuple[AssignmentStatus, Move], AssignmentStatus] = MappingProxyType(
    {
        (S.assigned, M.accept): S.accepted,
        (S.assigned, M.decline): S.declined,
        (S.assigned, M.time_out): S.timed_out,
        (S.assigned, M.cancel): S.cancelled,
        (S.accepted, M.depart): S.departed,
        # A resident engineer, or one already next door, arrives without setting off.
        (S.accepted, M.arrive): S.on_site,
        (S.accepted, M.decline): S.declined,
        (S.accepted, M.cancel): S.cancelled,
        (S.departed, M.arrive): S.on_site,
        (S.departed, M.cancel): S.cancelled,
        (S.on_site, M.complete): S.completed,
        (S.on_site, M.cancel): S.cancelled,
    }
)

# The way forward, in order: a move to a status behind the current one is a late fact.
PATH = (S.assigned, S.accepted, S.departed, S.on_site, S.completed)
# Assignments that hold an engineer's time: the load the decision weighs.
LIVE = (S.assigned, S.accepted, S.departed, S.on_site)
ENDED = frozenset(AssignmentStatus) - frozenset(LIVE)
# What the engineer's phone may do; time-outs and cancellations are the server's.
PHONE_MOVES = (M.accept, M.decline, M.depart, M.arrive, M.complete)
# The moves a phone reports with its own time, and the column each time is kept in.
TIMED = {
    M.accept: "accepted_at",
    M.depart: "departed_at",
    M.arrive: "arrived_at",
    M.complete: "completed_at",
}


@dataclass(frozen=True, slots=True)
class Assignment:
    id: UUID
    ticket_id: UUID
    engineer_id: UUID
    status: AssignmentStatus
    role: str = "lead"
    # When each step happened by the phone's clock (accepted_at, departed_at, ...).
    times: Mapping[str, datetime | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Moved:
    """The outcome of a move: `to` is the new status, or the current one for a late fact."""

    assignment: Assignment
    how: Move
    to: AssignmentStatus
    at: datetime
    late: bool = False  # recorded at its own time, changed no status

    @property
    def ends(self) -> bool:
        return self.to in ENDED and not self.late


class AssignmentNotFound(NotFound):
    title = "No such assignment"


def allowed_from(status: AssignmentStatus) -> tuple[Move, ...]:
    return moves_in(TRANSITIONS, status)


def move(assignment: Assignment, how: Move, at: datetime) -> Moved | None:
    """The move's outcome; None when it already took effect (a retry from a bad network)."""
    to = TRANSITIONS.get((assignment.status, how))
    if to is not None:
        return Moved(assignment, how, to, at)
    current = assignment.status
    column = TIMED.get(how)
    if column is not None and current in PATH:
        target = _target_on_path(how)
        if target is not None and PATH.index(target) <= PATH.index(current):
            if assignment.times.get(column) is not None or target is current:
                return None  # already recorded: the same step again
            return Moved(assignment, how, current, at, late=True)
    raise IllegalMove("an assignment", current, how, allowed_from(current))


def _target_on_path(how: Move) -> AssignmentStatus | None:
    targets = {to for (_, m), to in TRANSITIONS.items() if m is how and to in PATH}
    return next(iter(targets)) if len(targets) == 1 else None


def mermaid() -> str:
    """The lifecycle as a Mermaid `stateDiagram-v2`, drawn from the table for the README."""
    edges: dict[tuple[str, str], list[str]] = {}
    for (source, how), target in TRANSITIONS.items():
        edges.setdefault((source.value, target.value), []).append(how.value)
    return state_diagram(
        [s.value for s in AssignmentStatus],
        edges,
        initial=S.assigned.value,
        finals=sorted(s.value for s in ENDED),
        note=(
            S.on_site.value,
            (
                "a step the assignment has gone past (a depart uploaded",
                "after its arrive) is recorded at its own time, status kept",
            ),
        ),
    )
