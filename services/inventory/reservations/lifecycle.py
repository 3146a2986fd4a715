"""A reservation's life as a transition table, with the ledger movement each move books.
Pure: no I/O.

```
(request) ─▶ reserved ─pick─▶ picked ─consume─▶ consumed
(request) ─▶ backordered ─serve─▶ reserved    picked ─return, cancel─▶ returned
reserved ─consume─▶ consumed                  reserved ─release, expire, cancel─▶ released
backordered ─release, cancel─▶ released (no movement: nothing was held)
```

A request is served at once (reserved) or, when no single location can cover it and the
caller asked for it, waits as a backorder. Consumption may take part of what a reservation
holds: the reservation stays live with the rest (the ledger says how much is consumed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import NamedTuple
from uuid import UUID

from services.inventory.stock.ledger import MovementKind
from shared.diagrams import state_diagram
from shared.errors import NotFound
from shared.lifecycle import IllegalMove as IllegalMove
from shared.lifecycle import allowed_from as moves_in


class ReservationStatus(StrEnum):
    backordered = "backordered"
    reserved = "reserved"
    picked = "picked"
    consumed = "consumed"
    returned = "returned"
    released = "released"


class Move(StrEnum):
    serve = "serve"
    pick = "pick"
    consume = "consume"
    return_ = "return"
    release = "release"
    expire = "expire"
    cancel = "cancel"


class Step(NamedTuple):
    to: ReservationStatus
    # What the move books in the stock ledger; None: nothing was held, so nothing moves.
    movement: MovementKind | None


S, M, K = ReservationStatus, Move, MovementKind

# IV-1, DS-3: a pair missing here is an illegal move (409 naming the current status and the
# moves allowed).
TRANSITIONS: Mapping[tuple[ReservationStatus, Move], Step] = MappingProxyType(
    {
        (S.backordered, M.serve): Step(S.reserved, K.reservation),
        (S.backordered, M.release): Step(S.released, None),
        (S.backordered, M.cancel): Step(S.released, None),
        (S.reserved, M.pick): Step(S.picked, K.pick),
        # Parts used on a resolved ticket are consumed whether or not the pick was recorded.
        (S.reserved, M.consume): Step(S.consumed, K.consume),
        (S.reserved, M.release): Step(S.released, K.release),
        (S.reserved, M.expire): Step(S.released, K.release),
        (S.reserved, M.cancel): Step(S.released, K.release),
        (S.picked, M.consume): Step(S.consumed, K.consume),
        (S.picked, M.return_): Step(S.returned, K.return_),
        # A cancelled ticket's picked part goes back on the shelf: booked as its return.
        (S.picked, M.cancel): Step(S.returned, K.return_),
    }
)

LIVE = (S.backordered, S.reserved, S.picked)
# Holding stock at a location: what consumption takes from and a release gives back.
HOLDING = (S.reserved, S.picked)
ENDED = frozenset(ReservationStatus) - frozenset(LIVE)
# Facts from timers and other services: on a reservation already past them they change nothing.
FACTS = frozenset({M.expire, M.cancel})


@dataclass(frozen=True, slots=True)
class Reservation:
    id: UUID
    ticket_id: UUID
    part_number: str
    quantity: int
    status: ReservationStatus
    location_id: UUID | None
    # Units this reservation holds at its location now: its quantity less what was consumed.
    held: int
    requested_at: datetime
    waiver_reference: str | None = None


class ReservationNotFound(NotFound):
    title = "No such reservation"


def allowed_from(status: ReservationStatus) -> tuple[Move, ...]:
    return moves_in(TRANSITIONS, status)


def move(status: ReservationStatus, how: Move) -> Step | None:
    """The move's step; None for a fact the reservation is already past (an expiry after a
    release, a cancellation delivered twice)."""
    step = TRANSITIONS.get((status, how))
    if step is not None:
        return step
    if how in FACTS and status in ENDED:
        return None
    raise IllegalMove("a reservation", status, how, allowed_from(status))


def mermaid() -> str:
    """The lifecycle as a Mermaid `stateDiagram-v2`, drawn from the table for the README."""
    edges: dict[tuple[str, str], list[str]] = {}
    for (source, how), step in TRANSITIONS.items():
        edges.setdefault((source.value, step.to.value), []).append(how.value)
    drawn = state_diagram(
        [s.value for s in ReservationStatus],
        edges,
        initial=S.reserved.value,
        finals=sorted(s.value for s in ENDED),
        note=(
            S.backordered.value,
            (
                "no movement while backordered: nothing is held;",
                "served oldest first when stock arrives",
            ),
        ),
    )
    # A request starts either way: held at once, or waiting for stock.
    first = f"    [*] --> {S.reserved.value}\n"
    return drawn.replace(first, first + f"    [*] --> {S.backordered.value}\n", 1)
