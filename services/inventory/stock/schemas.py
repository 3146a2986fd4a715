"""What clients send and receive about stock. Staff only: vendors read the availability
endpoints, which carry no locations' books, no costs and no customers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, Field, field_validator, model_validator

from services.inventory.parts.rules import PART_NUMBER
from services.inventory.stock.ledger import MovementKind
from services.inventory.stock.rules import MAX_QUANTITY, Counterparty
from shared.http.bodies import NOT_BLANK, StrictBody, json_number

PartNumberField = Annotated[str, Field(pattern=PART_NUMBER.pattern, max_length=64)]
Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY), BeforeValidator(json_number)]
Signature = Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK)]


class ReceiptCreate(StrictBody):
    part_number: PartNumberField
    location_id: UUID
    quantity: Quantity
    delivery_reference: str = Field(
        min_length=1,
        max_length=100,
        pattern=NOT_BLANK,
        description="The delivery note's number: a delivery is received once",
    )


class SignOff(StrictBody):
    accepted_quantity: Annotated[
        int,
        Field(
            ge=0,
            le=MAX_QUANTITY,
            description="Units that passed inspection, at most the quantity received",
        ),
        BeforeValidator(json_number),
    ]
    notes: str | None = Field(default=None, max_length=2000)
    signed_by_us: Signature
    signed_by_counterparty: Signature
    counterparty: Counterparty


class TransferCreate(StrictBody):
    part_number: PartNumberField
    from_location_id: UUID
    to_location_id: UUID = Field(description="Another location than from_location_id")
    quantity: Quantity

    @model_validator(mode="after")
    def _between_two_locations(self) -> TransferCreate:
        if self.from_location_id == self.to_location_id:
            raise ValueError("a transfer moves stock between two different locations")
        return self


class AdjustmentCreate(StrictBody):
    part_number: PartNumberField
    location_id: UUID
    quantity: int = Field(
        ge=-MAX_QUANTITY,
        le=MAX_QUANTITY,
        description="Units added (negative: removed); never 0",
        json_schema_extra={"not": {"const": 0}},
    )
    reason: str = Field(min_length=1, max_length=500, pattern=NOT_BLANK)

    @field_validator("quantity", mode="before")
    @classmethod
    def _non_zero_number(cls, value: Any) -> Any:
        json_number(value)
        if value == 0:
            raise ValueError("an adjustment moves at least one unit")
        return value


class ReceiptPublic(BaseModel):
    id: UUID
    part_number: str
    location_id: UUID
    quantity: int
    delivery_reference: str
    received_at: datetime
    received_by: str
    inspect_by: datetime
    overdue: bool = Field(description="Not inspected, and its 2 days have passed (IV-6)")
    inspected_at: datetime | None
    accepted_quantity: int | None
    inspection_notes: str | None
    signed_by_us: str | None
    signed_by_counterparty: str | None
    counterparty: Counterparty | None


class TransferPublic(BaseModel):
    id: UUID
    part_number: str
    from_location_id: UUID
    to_location_id: UUID
    quantity: int
    at: datetime
    by: str


class MovementPublic(BaseModel):
    """One ledger row: what moved, and the balance at its location after it."""

    seq: int
    part_number: str
    location_id: UUID
    position: int
    kind: MovementKind
    on_hand_delta: int
    reserved_delta: int
    on_hand_after: int
    reserved_after: int
    available_after: int
    reservation_id: UUID | None
    ticket_id: UUID | None
    reference: str | None
    reason: str | None
    by: str
    at: datetime


class LocationLevel(BaseModel):
    location_id: UUID
    name: str
    on_hand: int
    reserved: int
    available: int


class StockLevels(BaseModel):
    part_number: str
    on_hand: int
    reserved: int
    available: int
    locations: list[LocationLevel]
