"""How much of a part can be had (IV-6, IV-7). Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import Conflict


class StockCounterFull(Conflict):
    title = "Stock count out of range"


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
