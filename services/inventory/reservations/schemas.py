"""What clients send and receive about reservations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, Field, StrictBool

from services.inventory.parts.rules import PART_NUMBER
from services.inventory.reservations.lifecycle import ReservationStatus
from services.inventory.reservations.rules import MAX_QUANTITY, MIN_QUANTITY
from shared.http.bodies import StrictBody, json_number

# The Field first: after the validator its bounds would not reach the document.
Quantity = Annotated[
    int,
    Field(ge=MIN_QUANTITY, le=MAX_QUANTITY, description="Units, 1 to 10,000"),
    BeforeValidator(json_number),
]
PartNumberField = Annotated[str, Field(pattern=PART_NUMBER.pattern, max_length=64)]


class ReservationCreate(StrictBody):
    part_number: PartNumberField
    quantity: Quantity
    backorder: StrictBool = Field(
        False,
        description="When no single location has the quantity: wait for stock (201, status "
        "backordered; the ticket's restore clock pauses) instead of a 409",
    )


class ConsumptionCreate(StrictBody):
    part_number: PartNumberField
    quantity: Quantity


class ReservationPublic(BaseModel):
    id: UUID
    ticket_id: UUID
    part_number: str
    quantity: int
    consumed: int = Field(description="Units of it fitted so far (the ledger's consume rows)")
    status: ReservationStatus
    location_id: UUID | None = Field(description="Where it is held; none while backordered")
    location_name: str | None
    distance_km: float | None = Field(
        description="Great-circle distance from the location to the ticket's site"
    )
    waiver_reference: str | None = Field(
        description="IV-4: the customer's originals waiver a third-party or refurbished part "
        "relies on"
    )
    requested_by: str
    requested_at: datetime
    reserved_at: datetime | None
    expires_at: datetime | None
    reason: str | None = Field(description="Why it ended: released, returned, expired, ...")
    updated_at: datetime
