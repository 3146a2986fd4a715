"""What clients send and receive about customers."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from shared.http.bodies import NOT_BLANK, StrictBody


class CustomerCreate(StrictBody):
    name: str = Field(min_length=1, max_length=200, pattern=NOT_BLANK)
    region: str | None = Field(default=None, min_length=1, max_length=64, pattern=NOT_BLANK)


class CustomerPublic(BaseModel):
    id: UUID
    name: str
    region: str | None
    created_at: datetime
