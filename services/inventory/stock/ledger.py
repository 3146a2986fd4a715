"""The stock ledger's rules: what each movement does to a part's balance at a location.

A balance is never edited: every movement is a new ledger row carrying the balance after it,
and on hand, reserved and available are read from the latest row. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from uuid import UUID

from shared.errors import Conflict, DomainError


class MovementKind(StrEnum):
    receipt = "receipt"
    transfer_out = "transfer_out"
    transfer_in = "transfer_in"
    reservation = "reservation"
    release = "release"
    pick = "pick"
    consume = "consume"
    # A picked part that came back unused: on the shelf again, free for the next ticket.
    return_ = "return"
    adjustment = "adjustment"


# (on hand, reserved) per unit moved. A picked part stays on the location's books, still
# reserved for its ticket, until it is consumed or comes back: a pick records who took it
# and when, and changes no count.
EFFECTS: Mapping[MovementKind, tuple[int, int]] = MappingProxyType(
    {
        MovementKind.receipt: (1, 0),
        MovementKind.transfer_out: (-1, 0),
        MovementKind.transfer_in: (1, 0),
        MovementKind.reservation: (0, 1),
        MovementKind.release: (0, -1),
        MovementKind.pick: (0, 0),
        MovementKind.consume: (-1, -1),
        MovementKind.return_: (0, -1),
        MovementKind.adjustment: (1, 0),
    }
)


class InsufficientStock(Conflict):
    """More was asked of a location than it has available: nothing was booked."""

    title = "Not enough stock"


class StockCountOutOfRange(DomainError):
    title = "Stock count out of range"


# on_hand is a 32-bit integer in the ledger: a count past it is a booking error.
MAX_COUNT = 2_147_483_647


@dataclass(frozen=True, slots=True)
class Balance:
    on_hand: int = 0
    reserved: int = 0
    # The ledger row this balance was read from (0: the part never moved at this location).
    position: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


@dataclass(frozen=True, slots=True)
class Level:
    """A part's balance at one location, with where the location is (nearest stock)."""

    location_id: UUID
    location_name: str
    latitude: float
    longitude: float
    balance: Balance
    location_kind: str

    @property
    def available(self) -> int:
        return self.balance.available


def book(balance: Balance, kind: MovementKind, quantity: int) -> Balance:
    """The balance after moving `quantity` (negative only for an adjustment down). Refuses a
    movement that would promise more than is on hand, or take what is not there."""
    on_hand_sign, reserved_sign = EFFECTS[kind]
    after = Balance(
        on_hand=balance.on_hand + on_hand_sign * quantity,
        reserved=balance.reserved + reserved_sign * quantity,
        position=balance.position + 1,
    )
    if after.on_hand > MAX_COUNT:
        raise StockCountOutOfRange(
            f"a location cannot hold {after.on_hand} units", on_hand=balance.on_hand
        )
    if after.reserved < 0:
        raise InsufficientStock(
            f"only {balance.reserved} reserved here, not {quantity}", reserved=balance.reserved
        )
    if after.on_hand < after.reserved:
        raise InsufficientStock(
            f"only {balance.available} available here, not {abs(quantity)}",
            available=balance.available,
        )
    return after


def total_available(levels: list[Level]) -> int:
    return sum(level.available for level in levels)
