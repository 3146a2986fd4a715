"""What a route asks of stock. `by` is who asked: every ledger row names its author."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.inventory.stock.rules import Counterparty


@dataclass(frozen=True, slots=True)
class ReceiveStock:
    """IV-6: a delivery booked in at a location, against its delivery reference."""

    part_number: str
    location_id: UUID
    quantity: int
    delivery_reference: str
    by: str


@dataclass(frozen=True, slots=True)
class SignOffReceipt:
    """IV-6: the inspection's outcome, and the delivery list signed in duplicate."""

    receipt_id: UUID
    accepted_quantity: int
    signed_by_us: str
    signed_by_counterparty: str
    counterparty: Counterparty
    notes: str | None
    by: str


@dataclass(frozen=True, slots=True)
class TransferStock:
    part_number: str
    from_location_id: UUID
    to_location_id: UUID
    quantity: int
    by: str


@dataclass(frozen=True, slots=True)
class AdjustStock:
    """A count corrected (negative: down), with the reason an auditor will ask for."""

    part_number: str
    location_id: UUID
    quantity: int
    reason: str
    by: str
