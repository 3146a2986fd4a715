"""What a route asks of the parts catalogue."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from services.inventory.parts.rules import Condition


@dataclass(frozen=True, slots=True)
class RegisterPart:
    part_number: str
    manufacturer: str
    description: str
    models: tuple[str, ...] = ()
    original: bool = True
    condition: Condition = Condition.new
    unit_cost: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class UpdatePart:
    """Only the fields in `changes` change (description, models, original, condition, cost)."""

    part_number: str
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SetReorderPoint:
    """Below this many available at the location, the ops team hears `stock.low`."""

    part_number: str
    location_id: UUID
    reorder_point: int
