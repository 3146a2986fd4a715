"""What clients send and receive about loaners (IV-2)."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, Field

from shared.http.bodies import NOT_BLANK, StrictBody
from shared.http.fields import Instant

# Our own asset tags: they appear in paths, so no "/".
SERIAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class LoanerFilter(StrEnum):
    available = "available"
    checked_out = "checked_out"
    overdue = "overdue"
    retired = "retired"


class LoanerCreate(StrictBody):
    serial: str = Field(pattern=SERIAL.pattern, max_length=100)
    model: str = Field(min_length=1, max_length=100, pattern=NOT_BLANK)
    manufacturer: str = Field(min_length=1, max_length=100, pattern=NOT_BLANK)
    category: str = Field(min_length=1, max_length=64, pattern=NOT_BLANK)
    location_id: UUID


class ModelDeclare(StrictBody):
    model: str = Field(min_length=1, max_length=100, pattern=NOT_BLANK)
    manufacturer: str = Field(min_length=1, max_length=100, pattern=NOT_BLANK)
    category: str = Field(min_length=1, max_length=64, pattern=NOT_BLANK)


class ModelPublic(BaseModel):
    model: str
    manufacturer: str
    category: str


class CheckOutBody(StrictBody):
    ticket_id: UUID
    due_back: Instant | None = Field(
        None, description="When the customer must give it back; default now + FIELDOPS_LOANER_DAYS"
    )


class CheckInBody(StrictBody):
    notes: str | None = Field(None, max_length=2000)


class LoanPublic(BaseModel):
    id: UUID
    ticket_id: UUID
    customer_id: UUID
    checked_out_at: datetime
    due_back: datetime
    overdue: bool


class LoanerPublic(BaseModel):
    serial: str
    model: str
    manufacturer: str
    category: str
    location_id: UUID
    status: str
    created_at: datetime
    updated_at: datetime
    loan: LoanPublic | None = Field(None, description="The loan it is out on now, if any")


class LoanerDuePublic(BaseModel):
    ticket_id: UUID
    clock_id: UUID
    model: str | None
    due_since: datetime
    status: str
    loan_id: UUID | None
