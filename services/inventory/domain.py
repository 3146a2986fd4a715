"""Inventory rules for parts and stock. No I/O here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.errors import Conflict, NotFound

# Manufacturers' part numbers: letters, digits and a few separators, as printed on the label.
PART_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")


class PartNotFound(NotFound):
    title = "No such part"


class StockCounterFull(Conflict):
    title = "Stock count out of range"


class PartExists(Conflict):
    title = "Part already registered"


@dataclass(frozen=True, slots=True)
class StockLevel:
    warehouse: str
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return max(0, self.on_hand - self.reserved)


def total_available(levels: list[StockLevel]) -> int:
    return sum(level.available for level in levels)


def may_see(part_vendor: str, *, vendor: str | None, is_staff: bool) -> bool:
    """IV-7: a partner vendor sees availability of its own parts only; staff see all."""
    return is_staff or (vendor is not None and vendor == part_vendor)
