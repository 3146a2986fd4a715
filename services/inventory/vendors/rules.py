"""What a partner vendor may see (IV-7), and how long a vendor over its rate waits. Pure: no I/O.

A vendor sees how many of its own parts can be had, and where: never what they cost us, which
customer or ticket holds them, or how much is on the shelf against how much is promised.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from services.inventory.stock.ledger import Level
from shared.errors import Forbidden


class NotAVendor(Forbidden):
    title = "Not a vendor's token"


@dataclass(frozen=True, slots=True)
class VendorPart:
    """A part as its maker may see it in our catalogue: no cost."""

    part_number: str
    description: str
    models: list[str]
    original: bool
    condition: str


def where_available(levels: list[Level]) -> list[Level]:
    """Only locations with something available: the answer is where a part can be had now, and
    a vendor learns nothing of where its parts once were."""
    return [level for level in levels if level.available > 0]


def may_see(part_manufacturer: str, *, vendor: str | None, is_staff: bool) -> bool:
    """IV-7: a partner vendor sees its own parts only (its `vendor` claim names the
    manufacturer, exactly as the catalogue spells it); staff see every part."""
    return is_staff or (vendor is not None and vendor == part_manufacturer)


def retry_after_s(reset_at: float, now: float) -> int:
    """Whole seconds until the vendor's oldest counted call leaves the window: never 0, which
    a client would read as "retry at once" and be refused again."""
    return max(1, math.ceil(reset_at - now))
