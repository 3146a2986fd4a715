"""What clients send and receive about stock. Vendors' answers carry no cost and no customer."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from shared.http.bodies import NOT_BLANK, JsonInteger, StrictBody


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
