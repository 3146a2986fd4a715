"""What clients receive of a ticket's timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class TimelineEntryPublic(BaseModel):
    at: datetime = Field(description="When it happened (an engineer's facts: the phone's time)")
    recorded_at: datetime = Field(
        description="When intake learned of it; entries come in this order"
    )
    kind: str = Field(
        description="What happened: ticket.created, ticket.resolved ..., assignment.accepted ..., "
        "sla.met, sla.breached, follow_up.recorded, asset.repeat_failure, loaner.checked_out, "
        "loaner.returned, part.backordered, part.available, replacement.ordered",
        examples=["ticket.awaiting_customer"],
    )
    actor: str = Field(description="Who: the caller's principal, an engineer id, or a service")
    detail: dict[str, Any] = Field(
        description="Why and what: the reason, `from` and `to` statuses when the status moved "
        "(equal when a late fact moved nothing), the engineer, the report; inventory's facts "
        "carry a readable `note`"
    )
