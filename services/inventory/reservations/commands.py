"""What a route, a timer or an event handler asks of reservations."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.inventory.reservations.lifecycle import Move


@dataclass(frozen=True, slots=True)
class ReserveParts:
    """IV-1: hold `quantity` of a part for a ticket at the nearest location that has it;
    `backorder`: wait for stock instead of being refused when none has."""

    ticket_id: UUID
    part_number: str
    quantity: int
    by: str
    backorder: bool = False


@dataclass(frozen=True, slots=True)
class MoveReservation:
    """A coordinator's or an engineer's step: pick, return or release."""

    reservation_id: UUID
    move: Move
    by: str


@dataclass(frozen=True, slots=True)
class ConsumeParts:
    """Parts fitted on the ticket's job, taken from what was reserved for it."""

    ticket_id: UUID
    part_number: str
    quantity: int
    by: str


@dataclass(frozen=True, slots=True)
class ExpireReservations:
    """Release reservations held past their time (FIELDOPS_RESERVATION_DAYS)."""

    batch: int = 100
