"""What clients send and receive about parts. Vendors' answers carry no cost and no customer."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.inventory.parts.rules import PART_NUMBER
from shared.http.bodies import NOT_BLANK, StrictBody


class PartCreate(StrictBody):
    part_number: str = Field(pattern=PART_NUMBER.pattern, max_length=64)
    vendor: str = Field(min_length=1, max_length=64, pattern=NOT_BLANK)
    description: str = Field(min_length=1, max_length=500, pattern=NOT_BLANK)


class PartPublic(BaseModel):
    part_number: str
    vendor: str
    description: str
    created_at: datetime
