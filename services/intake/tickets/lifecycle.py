"""IN-4: a ticket's life as a transition table. Pure: no I/O, no framework.

Two kinds of move reach a ticket. The service centre's own moves (`await_customer`,
`resume`, `resolve`, `close`, `reopen`, `cancel`, `reclassify`) are requests: one the
table does not allow is refused with `IllegalMove`, naming the moves that are allowed.
Facts from dispatch (`assigned`, `unassigned`, `accepted`, `arrived`, `completed`) have
already happened elsewhere and may arrive late or twice: one that does not fit changes
nothing (`move` returns None) and never moves a ticket back.

Waiting for the customer is a hold laid over the work, not a step of it: the ticket
remembers the status it was held from (`held_from`) and `resume` returns it there, so a
ticket held before anyone was assigned does not come back as if an engineer had accepted
it. Facts that arrive during the hold move the status underneath (`held_from`), and
`completed` ends the hold: the engineer has finished the work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from uuid import UUID

from shared.diagrams import state_diagram
from shared.errors import Conflict, NotFound
from shared.lifecycle import IllegalMove as IllegalMove
from shared.lifecycle import allowed_from as moves_in


class Status(StrEnum):
    new = "new"
    assigned = "assigned"
    unassigned = "unassigned"  # dispatch found nobody; the team lead must step in
    in_progress = "in_progress"
    on_site = "on_site"
    awaiting_customer = "awaiting_customer"
    resolved = "resolved"
    closed = "closed"
    cancelled = "cancelled"


class Move(StrEnum):
    # the service centre's moves
    await_customer = "await_customer"
    resume = "resume"
    resolve = "resolve"
    close = "close"
    reopen = "reopen"
    cancel = "cancel"
    reclassify = "reclassify"
    # facts from dispatch
    assigned = "assigned"
    unassigned = "unassigned"
    accepted = "accepted"
    arrived = "arrived"
    completed = "completed"


FACTS_FROM_OTHER_SERVICES = frozenset(
    {Move.assigned, Move.unassigned, Move.accepted, Move.arrived, Move.completed}
)
CENTRE_MOVES = frozenset(Move) - FACTS_FROM_OTHER_SERVICES

# Statuses in which work on the fault is still to be done (a hold may be laid over any).
WORKING = (Status.new, Status.unassigned, Status.assigned, Status.in_progress, Status.on_site)
# Before resolution: a ticket may still be cancelled or reclassified.
OPEN = (*WORKING, Status.awaiting_customer)

# A fact moves a ticket only forward along this order; a fact whose status is not ahead
# of the ticket's is late or redelivered. `unassigned` ranks below `assigned`: dispatch's
# "nobody could take it" never undoes an assignment it already reported.
_PROGRESS = (
    Status.new,
    Status.unassigned,
    Status.assigned,
    Status.in_progress,
    Status.on_site,
    Status.resolved,
)
_FACT_LEADS_TO = {
    Move.unassigned: Status.unassigned,
    Move.assigned: Status.assigned,
    Move.accepted: Status.in_progress,
    Move.arrived: Status.on_site,
    Move.completed: Status.resolved,
}


def _fact_edges() -> dict[tuple[Status, Move], Status]:
    return {
        (status, fact): to
        for status in WORKING
        for fact, to in _FACT_LEADS_TO.items()
        if _PROGRESS.index(to) > _PROGRESS.index(status)
    }


# A pair missing here is an illegal centre move (409) or a fact that changes nothing.
# The one entry whose value is not the whole answer: `resume` is legal from
# `awaiting_customer` and leads to the ticket's `held_from` (see the module docstring);
# the diagram draws it as one edge per status a ticket can be held from.
TRANSITIONS: Mapping[tuple[Status, Move], Status] = MappingProxyType(
    {
        **_fact_edges(),
        **{(status, Move.await_customer): Status.awaiting_customer for status in WORKING},
        (Status.awaiting_customer, Move.resume): Status.awaiting_customer,
        # The centre may resolve a fault fixed by phone, before anyone was sent (IN-5), or when
        # the customer confirms during a hold that the fault is gone.
        **{(status, Move.resolve): Status.resolved for status in OPEN},
        (Status.resolved, Move.close): Status.closed,
        (Status.resolved, Move.reopen): Status.in_progress,
        **{(status, Move.cancel): Status.cancelled for status in OPEN},
        **{(status, Move.reclassify): status for status in OPEN},
    }
)

# IN-4: a resolved ticket may be reopened within seven days of its resolution.
REOPEN_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Ticket:
    id: UUID
    status: Status
    held_from: Status | None = None  # while awaiting the customer: where `resume` returns
    resolved_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TicketMoved:
    ticket_id: UUID
    from_: Status
    to: Status
    move: Move
    at: datetime
    held_from: Status | None = None

    def applied_to(self, ticket: Ticket) -> Ticket:
        resolved_at = (
            self.at
            if self.to is Status.resolved
            else (None if self.move is Move.reopen else ticket.resolved_at)
        )
        return replace(ticket, status=self.to, held_from=self.held_from, resolved_at=resolved_at)


class TicketNotFound(NotFound):
    title = "No such ticket"


class ReopenWindowClosed(Conflict):
    title = "Too late to reopen"


def spelled(how: Move) -> str:
    """A move as the API spells it: `await_customer` is POST .../await-customer."""
    return how.value.replace("_", "-")


def allowed_from(status: Status) -> tuple[Move, ...]:
    """The centre's moves the table allows from `status`, in the table's order."""
    return tuple(m for m in moves_in(TRANSITIONS, status) if m in CENTRE_MOVES)


def can_reopen(resolved_at: datetime | None, now: datetime) -> bool:
    return resolved_at is not None and now - resolved_at <= REOPEN_WINDOW


def move(ticket: Ticket, how: Move, at: datetime) -> TicketMoved | None:
    """What `how` does to `ticket` at `at`: the move, or None for a fact that changes nothing."""
    if ticket.status is Status.awaiting_customer and how in FACTS_FROM_OTHER_SERVICES:
        return _fact_during_hold(ticket, how, at)
    to = TRANSITIONS.get((ticket.status, how))
    if to is None:
        if how in FACTS_FROM_OTHER_SERVICES:  # a late or redelivered fact changes nothing
            return None
        # Named as a client calls them (`await-customer`, the path's last segment).
        allowed = [spelled(m) for m in allowed_from(ticket.status)]
        raise IllegalMove("a ticket", ticket.status, spelled(how), allowed)
    if how is Move.reopen and not can_reopen(ticket.resolved_at, at):
        raise ReopenWindowClosed(
            f"ticket {ticket.id} was resolved more than {REOPEN_WINDOW.days} days ago; "
            "record the fault again as a new ticket",
            current_status=ticket.status.value,
            resolved_at=ticket.resolved_at,
            reopen_until=ticket.resolved_at + REOPEN_WINDOW if ticket.resolved_at else None,
        )
    held_from = None
    if how is Move.await_customer:
        held_from = ticket.status
    elif how is Move.resume:
        to = ticket.held_from or Status.in_progress  # a hold always records where it came from
    elif to is Status.awaiting_customer:
        held_from = ticket.held_from  # reclassified during a hold: still held
    return TicketMoved(
        ticket_id=ticket.id, from_=ticket.status, to=to, move=how, at=at, held_from=held_from
    )


def _fact_during_hold(ticket: Ticket, fact: Move, at: datetime) -> TicketMoved | None:
    underneath = ticket.held_from or Status.in_progress
    to = TRANSITIONS.get((underneath, fact))
    if to is None:
        return None
    if to is Status.resolved:  # the engineer finished: the hold ends with the work
        return TicketMoved(ticket_id=ticket.id, from_=ticket.status, to=to, move=fact, at=at)
    return TicketMoved(
        ticket_id=ticket.id,
        from_=ticket.status,
        to=Status.awaiting_customer,
        move=fact,
        at=at,
        held_from=to,
    )


def mermaid() -> str:
    """The lifecycle as a Mermaid `stateDiagram-v2`, drawn from the table for the README."""
    labels: dict[tuple[Status, Status], list[str]] = {}
    for (source, how), target in TRANSITIONS.items():
        if how is Move.resume:
            for held in WORKING:
                labels.setdefault((source, held), []).append(how.value)
        elif target is not source:  # reclassify keeps the status: noted once below, not looped
            labels.setdefault((source, target), []).append(how.value)
    return state_diagram(
        [s.value for s in Status],
        {(a.value, b.value): moves for (a, b), moves in labels.items()},
        initial=Status.new.value,
        finals=(Status.closed.value, Status.cancelled.value),
        note=(
            Status.awaiting_customer.value,
            (
                "resume returns to the status the ticket was held from;",
                "dispatch's facts move that status, and completed resolves;",
                "reclassify keeps the status of any open ticket",
            ),
        ),
    )
