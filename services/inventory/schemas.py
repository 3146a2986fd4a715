"""What inventory's clients send and receive. Vendors' answers carry no cost and no customer."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from services.inventory.domain import PART_NUMBER
from shared.http.bodies import NOT_BLANK, JsonInteger, StrictBody


class PartCreate(StrictBody):
    part_number: str = Field(pattern=PART_NUMBER.pattern, max_length=64)
    vendor: str = Field(min_length=1, max_length=64, pattern=NOT_BLANK)
    description: str = Field(min_length=1, max_length=500, pattern=NOT_BLANK)


class PartPublic(BaseModel):
    part_number: str
    vendor: str
    description: str
    created_at: datetime


class ReceiptCreate(StrictBody):
    warehouse: str = Field(min_length=1, max_length=64, pattern=NOT_BLANK)
    quantity: JsonInteger = Field(ge=1, le=1_000_000)


class StockReceipt(ReceiptCreate):
    """A receipt with the part it is for (from the path)."""

    part_number: str


class ReceiptPublic(BaseModel):
    id: UUID
    part_number: str
    warehouse: str
    quantity: int
    received_at: datetime


class WarehouseAvailability(BaseModel):
    warehouse: str
    available: int


class Availability(BaseModel):
    part_number: str
    available: int
    warehouses: list[WarehouseAvailability]
