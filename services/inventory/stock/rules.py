"""Receipts, transfers and when stock needs the ops team's attention. Pure: no I/O."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from shared.errors import Conflict, DomainError, NotFound

# IV-6: a delivery is inspected within 2 days of its arrival.
INSPECTION_WINDOW = timedelta(days=2)
# One movement moves at most this many units: more is a typing error, not a delivery.
MAX_QUANTITY = 10_000


class Counterparty(StrEnum):
    """Who signed the other copy of the delivery list."""

    customer = "customer"
    carrier = "carrier"


class ReceiptNotFound(NotFound):
    title = "No such receipt"


class DeliveryAlreadyReceived(Conflict):
    """A delivery is booked in once: a second receipt of its reference would count it twice."""

    title = "Delivery already received"


class AlreadySignedOff(Conflict):
    title = "Receipt already signed off"


class MoreAcceptedThanReceived(DomainError):
    title = "More accepted than received"


class TransferToItself(DomainError):
    title = "Transfer to the same location"


def inspect_by(received_at: datetime) -> datetime:
    return received_at + INSPECTION_WINDOW


def is_overdue(inspected_at: datetime | None, inspect_by: datetime, now: datetime) -> bool:
    return inspected_at is None and inspect_by < now


def rejected_at_inspection(receipt_id: UUID, quantity: int, accepted: int) -> int:
    """The units the inspection turned away, booked out again at sign-off."""
    if accepted > quantity:
        raise MoreAcceptedThanReceived(
            f"{accepted} accepted of {quantity} received",
            receipt_id=str(receipt_id),
            quantity=quantity,
        )
    return quantity - accepted


def rejection_reason(notes: str | None) -> str:
    return f"rejected at inspection: {notes or 'no notes'}"[:500]


def check_transfer(from_location_id: UUID, to_location_id: UUID) -> None:
    if from_location_id == to_location_id:
        raise TransferToItself(
            "a transfer moves stock between two locations",
            location_id=str(from_location_id),
        )


def crossed_reorder_point(available_before: int, available_after: int, reorder_point: int) -> bool:
    """Once per fall: a location already below its point says nothing more until restocked."""
    return available_before >= reorder_point > available_after
