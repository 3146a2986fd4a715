"""Events inventory publishes on its topic: parts and their stock."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from shared.events.base import UPCASTERS, Event, register


class PartEvent(Event):
    owner: ClassVar[str] = "inventory"
    part_number: str

    def aggregate_id(self) -> str:
        return self.part_number


@register
class PartRegisteredV1(PartEvent):
    """A spare part entered the catalogue; kept to read old events (its `vendor` was the
    manufacturer)."""

    type: ClassVar[str] = "part.registered"
    example: ClassVar[dict[str, Any]] = {
        "part_number": "HP-JL253A-PSU",
        "vendor": "hp",
        "description": "Power supply, 250 W",
    }
    vendor: str
    description: str


@register
class PartRegistered(PartEvent):
    """A spare part entered the catalogue (IV-1): who makes it, what it fits, and whether it
    is an original, new part (IV-4). Its unit cost is internal and never published."""

    type: ClassVar[str] = "part.registered"
    version: ClassVar[int] = 2
    example: ClassVar[dict[str, Any]] = {
        "part_number": "HP-JL253A-PSU",
        "manufacturer": "hp",
        "description": "Power supply, 250 W",
        "models": ["JL253A", "JL254A"],
        "original": True,
        "condition": "new",
    }
    manufacturer: str
    description: str
    models: list[str] = []
    original: bool = True
    condition: Literal["new", "refurbished"] = "new"


def upcast_part_registered_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
    """A v1 part named its maker `vendor`; it knew no models, and every part was original, new."""
    upcast = {key: value for key, value in data.items() if key != "vendor"}
    upcast.setdefault("manufacturer", data.get("vendor"))
    return upcast


UPCASTERS[("part.registered", 1)] = upcast_part_registered_v1_v2


@register
class PartStockReceived(PartEvent):
    """Units of a part arrived at a warehouse. Superseded by `stock.received` (a delivery at
    a location); kept so that old events still parse."""

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
class StockReceived(PartEvent):
    """IV-6: a delivery of a part was booked in at a location, its inspection due within
    2 days."""

    type: ClassVar[str] = "stock.received"
    example: ClassVar[dict[str, Any]] = {
        "part_number": "HP-JL253A-PSU",
        "location_id": "3f2b8c1e-6d4a-4e7b-9c0d-1a2b3c4d5e6f",
        "location_name": "Beijing regional office",
        "quantity": 3,
        "delivery_reference": "DN-2026-11-0042",
        "receipt_id": "9a7b6c5d-4e3f-4a1b-8c2d-0e1f2a3b4c5d",
        "at": "2026-11-25T10:00:00Z",
    }
    location_id: UUID
    location_name: str
    quantity: int
    delivery_reference: str
    receipt_id: UUID
    at: datetime


@register
class ReceiptSignedOff(PartEvent):
    """IV-6: a delivery was inspected and its delivery list signed by both parties; the
    units not accepted were booked out again."""

    type: ClassVar[str] = "receipt.signed_off"
    example: ClassVar[dict[str, Any]] = {
        "part_number": "HP-JL253A-PSU",
        "receipt_id": "9a7b6c5d-4e3f-4a1b-8c2d-0e1f2a3b4c5d",
        "location_id": "3f2b8c1e-6d4a-4e7b-9c0d-1a2b3c4d5e6f",
        "delivery_reference": "DN-2026-11-0042",
        "quantity": 3,
        "accepted_quantity": 2,
        "counterparty": "carrier",
        "signed_by_us": "Li Na",
        "signed_by_counterparty": "Zhang Wei (SF Express)",
        "at": "2026-11-26T09:00:00Z",
    }
    receipt_id: UUID
    location_id: UUID
    delivery_reference: str
    quantity: int
    accepted_quantity: int
    counterparty: Literal["customer", "carrier"]
    signed_by_us: str
    signed_by_counterparty: str
    at: datetime


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


class TicketPartEvent(Event):
    """A part's stock as it bears on one ticket: keyed by the ticket, like the clocks it moves."""

    owner: ClassVar[str] = "inventory"
    ticket_id: UUID
    part_number: str

    def aggregate_id(self) -> str:
        return str(self.ticket_id)


@register
class PartBackordered(TicketPartEvent):
    """A part the ticket needs is out of stock: its restore and repair clocks pause until the
    part is available (the wait is the supplier's, not the engineer's)."""

    type: ClassVar[str] = "part.backordered"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11",
        "part_number": "HP-JL253A-PSU",
        "quantity_short": 1,
        "at": "2026-11-25T10:00:00Z",
    }
    quantity_short: int
    at: datetime


@register
class PartAvailable(TicketPartEvent):
    """The backordered part arrived for the ticket: its clocks run again."""

    type: ClassVar[str] = "part.available"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11",
        "part_number": "HP-JL253A-PSU",
        "quantity_arrived": 1,
        "at": "2026-11-27T14:00:00Z",
    }
    quantity_arrived: int
    at: datetime


@register
class LoanerCheckedOut(Event):
    """IV-2: a loaner of the same or similar model went to the customer while theirs is repaired:
    the repair clock's promise is kept."""

    type: ClassVar[str] = "loaner.checked_out"
    owner: ClassVar[str] = "inventory"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11",
        "loaner_serial": "LN-0007",
        "model": "S5735",
        "customer_id": "2b0e7d4a-8f61-4a38-9c1e-5d0c6a7b8e90",
        "at": "2026-11-30T10:00:00Z",
    }
    ticket_id: UUID
    loaner_serial: str
    model: str
    customer_id: UUID
    at: datetime

    def aggregate_id(self) -> str:
        return str(self.ticket_id)


@register
class StockLow(PartEvent):
    """A location's available count of a part fell below its reorder point: time to restock."""

    type: ClassVar[str] = "stock.low"
    example: ClassVar[dict[str, Any]] = {
        "part_number": "HP-JL253A-PSU",
        "location_id": "3f2b8c1e-6d4a-4e7b-9c0d-1a2b3c4d5e6f",
        "location_name": "Beijing regional office",
        "available": 1,
        "reorder_point": 2,
        "at": "2026-11-25T10:00:00Z",
    }
    location_id: UUID
    location_name: str
    available: int
    reorder_point: int
    at: datetime
