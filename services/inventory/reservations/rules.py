"""Where a reservation is held from, whether the part may go to the customer at all, and
in which order backorders are served (IV-1, IV-4). Pure: no I/O.

Backorders of a part are served strictly oldest first: when the oldest cannot be covered by
any single location, the younger ones wait behind it even if a smaller one would fit. A
small request can then never overtake a large one for ever (no backorder is starved), at
the price of stock standing still until the head of the queue fits. For the same reason a
new request does not take stock ahead of a waiting backorder of its part: it joins the
queue or is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from haversine import haversine

from services.inventory.contracts.rules import Waiver
from services.inventory.stock.ledger import InsufficientStock, Level
from shared.errors import Conflict, DomainError

# IV-1: what one reservation may ask for; the API refuses more before a rule sees it.
MIN_QUANTITY, MAX_QUANTITY = 1, 10_000
ORIGINALS_ONLY = (
    "originals only: a third-party or refurbished part needs the customer's signed waiver"
)

Position = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Choice:
    """The location a reservation is held at; `distance_km` None when the site has no position."""

    level: Level
    distance_km: float | None


@dataclass(frozen=True, slots=True)
class Backorder:
    id: UUID
    quantity: int
    requested_at: datetime
    site: Position | None


class QuantityOutOfRange(DomainError):
    title = "Quantity out of range"


class NotEnoughStock(InsufficientStock):
    """No single location can cover the request: nothing was reserved."""

    slug = "insufficient-stock"


class OriginalsOnly(Conflict):
    title = "Originals only"
    slug = "originals-only"


class NotReserved(Conflict):
    """Parts consumed must have been reserved for the ticket: stock never promised to it is
    someone else's."""

    title = "Not reserved for this ticket"
    slug = "not-reserved"


def check_quantity(quantity: int) -> None:
    if not MIN_QUANTITY <= quantity <= MAX_QUANTITY:
        raise QuantityOutOfRange(
            f"a quantity is {MIN_QUANTITY} to {MAX_QUANTITY}, not {quantity}",
            quantity=quantity,
            minimum=MIN_QUANTITY,
            maximum=MAX_QUANTITY,
        )


def nearest(levels: Sequence[Level], site: Position | None, quantity: int) -> Choice | None:
    """IV-1: the location with `quantity` available nearest the ticket's site by great-circle
    distance, ties by name; without a site position, the one with the most available. None
    when no single location can cover it: a reservation is never split across locations (the
    engineer collects a part at one place)."""
    enough = [level for level in levels if level.available >= quantity]
    if not enough:
        return None
    if site is None:
        best = min(enough, key=lambda level: (-level.available, level.location_name))
        return Choice(best, None)
    measured = [(distance_km(site, (level.latitude, level.longitude)), level) for level in enough]
    km, best = min(measured, key=lambda pair: (pair[0], pair[1].location_name))
    return Choice(best, km)


def distance_km(site: Position, location: Position) -> float:
    return round(float(haversine(site, location)), 3)


def check_originals(original: bool, condition: str, waiver: Waiver | None) -> str | None:
    """IV-4: an original, new part goes to any customer; a third-party or refurbished one only
    under the customer's signed waiver, whose reference the reservation then cites."""
    if original and condition == "new":
        return None
    if waiver is None:
        raise OriginalsOnly(
            f"IV-4 {ORIGINALS_ONLY}; this part is "
            f"{'original' if original else 'third-party'} and {condition}, and the ticket's "
            "contract has no originals waiver",
            requirement="IV-4",
            rule=ORIGINALS_ONLY,
            original=original,
            condition=condition,
        )
    return waiver.reference


def serve_order(
    backorders: Sequence[Backorder], levels: Sequence[Level]
) -> list[tuple[Backorder, Choice]]:
    """Which of a part's backorders the stock in `levels` serves now, and from where: oldest
    first (by requested_at, then id), each from the location nearest its own site that has
    enough left after the ones before it; the first that cannot be served stops the queue."""
    left = {level.location_id: level.available for level in levels}
    served: list[tuple[Backorder, Choice]] = []
    for backorder in sorted(backorders, key=lambda b: (b.requested_at, str(b.id))):
        current = [_with_available(level, left[level.location_id]) for level in levels]
        choice = nearest(current, backorder.site, backorder.quantity)
        if choice is None:
            break
        left[choice.level.location_id] -= backorder.quantity
        served.append((backorder, Choice(_original(levels, choice.level), choice.distance_km)))
    return served


def _with_available(level: Level, available: int) -> Level:
    # What the backorders before this one took counts as reserved here.
    taken = level.available - available
    return replace(level, balance=replace(level.balance, reserved=level.balance.reserved + taken))


def _original(levels: Sequence[Level], chosen: Level) -> Level:
    return next(level for level in levels if level.location_id == chosen.location_id)
