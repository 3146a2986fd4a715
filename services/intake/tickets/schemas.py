"""What clients send and receive about tickets."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field

from services.intake.reports.schemas import ReportBody
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
    # --- the ticket's life after creation (IN-4): absent from a create's answer, null until set ---
    held_from: Status | None = Field(
        default=None, description="While awaiting the customer: the status `resume` returns to"
    )
    resolved_at: datetime | None = Field(
        default=None, description="The latest resolution; a reopen is allowed for 7 days after"
    )
    closed_at: datetime | None = None
    cancelled_at: datetime | None = None
    # --- end of the ticket's life block ---


# --- the centre's moves (IN-4): bodies of POST /v1/tickets/{id}/<move> ---

Reason = Annotated[
    str,
    Field(min_length=1, max_length=2_000, pattern=NOT_BLANK, description="Why, for the timeline"),
]


class AwaitCustomerBody(StrictBody):
    reason: Reason = Field(description="What the work waits for")


class ResumeBody(StrictBody):
    reason: Reason | None = None


class ResolveBody(StrictBody):
    report: ReportBody


class CloseBody(StrictBody):
    reason: Reason | None = None


class ReasonBody(StrictBody):
    reason: Reason


class ReclassifyBody(StrictBody):
    priority: Priority
    reason: Reason
