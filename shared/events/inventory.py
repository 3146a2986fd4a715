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
        "scope": "part",
        "late_notice": False,
    }
    manufacturer: str
    models: list[str]
    end_of_production: date
    announced_at: datetime
    # "model": the maker stops every part of a model; `part_number` then names the model.
    scope: Literal["part", "model"] = "part"
    # Announced less than 6 months ahead: the customers cannot be told as early as IV-5 asks.
    late_notice: bool = False


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


class LoanerEvent(Event):
    """A loaner unit's time with a customer, keyed by the ticket it was lent for."""

    owner: ClassVar[str] = "inventory"
    ticket_id: UUID
    loaner_serial: str
    model: str
    customer_id: UUID
    at: datetime

    def aggregate_id(self) -> str:
        return str(self.ticket_id)


_LOANER_EXAMPLE: dict[str, Any] = {
    "ticket_id": "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11",
    "loaner_serial": "LN-0007",
    "model": "S5735",
    "customer_id": "2b0e7d4a-8f61-4a38-9c1e-5d0c6a7b8e90",
}


@register
class LoanerCheckedOut(LoanerEvent):
    """IV-2: a loaner of the same or similar model went to the customer while theirs is repaired:
    the repair clock's promise is kept."""

    type: ClassVar[str] = "loaner.checked_out"
    example: ClassVar[dict[str, Any]] = {**_LOANER_EXAMPLE, "at": "2026-11-30T10:00:00Z"}


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


class ReservationEvent(Event):
    """A part held for a ticket (IV-1, DS-3): keyed by the ticket, so a ticket's parts stay in order."""

    owner: ClassVar[str] = "inventory"
    ticket_id: UUID
    reservation_id: UUID
    part_number: str
    quantity: int
    at: datetime

    def aggregate_id(self) -> str:
        return str(self.ticket_id)


_RESERVATION_EXAMPLE: dict[str, Any] = {
    "ticket_id": "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11",
    "reservation_id": "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c",
    "part_number": "HP-JL253A-PSU",
    "quantity": 1,
    "at": "2026-11-25T10:05:00Z",
}


@register
class ReservationCreated(ReservationEvent):
    """The part is held at a location for the ticket: the engineer can pick it up there."""

    type: ClassVar[str] = "reservation.created"
    example: ClassVar[dict[str, Any]] = {
        **_RESERVATION_EXAMPLE,
        "location_id": "3f2b8c1e-6d4a-4e7b-9c0d-1a2b3c4d5e6f",
        "location_name": "Beijing regional office",
        "waiver_reference": None,
        "expires_at": "2026-12-09T10:05:00Z",
    }
    location_id: UUID
    location_name: str
    # IV-4: the customer's signed waiver a third-party or refurbished part relies on.
    waiver_reference: str | None = None
    expires_at: datetime


@register
class ReservationReleased(ReservationEvent):
    """The hold ended without the part being used: cancelled ticket, expiry, a coordinator's
    release, or a picked part brought back (`reason`)."""

    type: ClassVar[str] = "reservation.released"
    example: ClassVar[dict[str, Any]] = {
        **_RESERVATION_EXAMPLE,
        "location_id": "3f2b8c1e-6d4a-4e7b-9c0d-1a2b3c4d5e6f",
        "reason": "ticket_cancelled",
    }
    # None: a backorder withdrawn before any location could hold it.
    location_id: UUID | None = None
    reason: str


@register
class ReservationConsumed(ReservationEvent):
    """The part was fitted at the customer's site (from the resolved ticket's parts used)."""

    type: ClassVar[str] = "reservation.consumed"
    example: ClassVar[dict[str, Any]] = {
        **_RESERVATION_EXAMPLE,
        "location_id": "3f2b8c1e-6d4a-4e7b-9c0d-1a2b3c4d5e6f",
    }
    location_id: UUID


@register
class LoanerReturned(LoanerEvent):
    """IV-2: the customer gave the loaner back."""

    type: ClassVar[str] = "loaner.returned"
    example: ClassVar[dict[str, Any]] = {**_LOANER_EXAMPLE, "at": "2026-12-20T10:00:00Z"}


@register
class ReplacementOrdered(Event):
    """IV-3: a product that failed twice is replaced by a new unit of the same model."""

    type: ClassVar[str] = "replacement.ordered"
    owner: ClassVar[str] = "inventory"
    example: ClassVar[dict[str, Any]] = {
        "serial": "SN-0042",
        "replacement_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        "model": "S5735",
        "manufacturer": "huawei",
        "customer_id": "2b0e7d4a-8f61-4a38-9c1e-5d0c6a7b8e90",
        "site_id": "0d6c1f7e-5a3b-4c2d-8e9f-1a2b3c4d5e6f",
        "earlier_ticket_id": "1b2c3d4e-5f60-4a1b-9c2d-3e4f5a6b7c8d",
        "ticket_id": "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11",
        "at": "2026-11-25T10:00:00Z",
    }
    serial: str
    replacement_id: UUID
    model: str
    manufacturer: str
    customer_id: UUID
    site_id: UUID
    earlier_ticket_id: UUID
    ticket_id: UUID
    at: datetime

    def aggregate_id(self) -> str:
        return self.serial
