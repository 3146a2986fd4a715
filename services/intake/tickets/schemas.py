"""What clients send and receive about tickets."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from services.intake.tickets.classification import Channel, Impact, Priority
from services.intake.tickets.lifecycle import Status
from shared.http.bodies import NOT_BLANK, StrictBody
from shared.vocabulary import Category


class TicketCreate(StrictBody):
    customer_id: UUID
    summary: str = Field(min_length=1, max_length=200, pattern=NOT_BLANK)
    description: str = Field(default="", max_length=10_000)
    channel: Channel
    category: Category
    impact: Impact
    region: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=NOT_BLANK,
        description="Where the work is; defaults to the customer's region",
    )


class TicketPublic(BaseModel):
    id: UUID
    number: str
    customer_id: UUID
    summary: str
    description: str
    channel: Channel
    category: Category
    impact: Impact
    priority: Priority
    status: Status
    region: str | None
    created_at: datetime
    updated_at: datetime
