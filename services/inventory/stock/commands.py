"""What a route asks of stock."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReceiveStock:
    """IV-6: a delivery booked into a warehouse."""

    part_number: str
    warehouse: str
    quantity: int
