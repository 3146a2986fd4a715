"""Events inventory publishes on its topic: parts and their stock."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from shared.events.base import Event, register


class PartEvent(Event):
    owner: ClassVar[str] = "inventory"
    part_number: str

    def aggregate_id(self) -> str:
        return self.part_number


@register
class PartRegistered(PartEvent):
    """A spare part entered the catalogue."""

    type: ClassVar[str] = "part.registered"
    example: ClassVar[dict[str, Any]] = {
        "part_number": "HP-JL253A-PSU",
        "vendor": "hp",
        "description": "Power supply, 250 W",
    }
    vendor: str
    description: str


@register
class PartStockReceived(PartEvent):
    """Units of a part arrived at a warehouse."""

    type: ClassVar[str] = "part.stock_received"
    example: ClassVar[dict[str, Any]] = {
        "part_number": "HP-JL253A-PSU",
        "warehouse": "beijing-main",
        "quantity": 3,
        "received_at": "2026-11-25T10:00:00Z",
    }
    warehouse: str
    quantity: int
    received_at: datetime


@register
class PartEolAnnounced(PartEvent):
    """A manufacturer will stop producing a part for these models (IV-5): intake tells the
    customers who own them in writing 6 months before `end_of_production`."""

    type: ClassVar[str] = "part.eol_announced"
    example: ClassVar[dict[str, Any]] = {
        "part_number": "HW-S5735-PSU",
        "manufacturer": "huawei",
        "models": ["S5735", "S5735-L"],
        "end_of_production": "2027-12-31",
        "announced_at": "2026-11-25T10:00:00Z",
    }
    manufacturer: str
    models: list[str]
    end_of_production: date
    announced_at: datetime
