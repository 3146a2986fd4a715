"""What clients send and receive about follow-up calls."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from services.intake.followups.rules import FollowUp, Outcome
from shared.http.bodies import NOT_BLANK, StrictBody


class FollowUpCreate(StrictBody):
    called_by: str = Field(
        min_length=1, max_length=200, pattern=NOT_BLANK, description="Who made the call"
    )
    called_at: AwareDatetime = Field(description="When; not in the future")
    outcome: Outcome
    notes: str | None = Field(default=None, max_length=2_000)


class FollowUpPublic(BaseModel):
    id: UUID
    ticket_id: UUID
    called_by: str
    called_at: datetime
    outcome: Outcome
    notes: str | None
    recorded_by: str
    recorded_at: datetime

    @classmethod
    def of(cls, follow_up: FollowUp) -> FollowUpPublic:
        return cls.model_validate(follow_up, from_attributes=True)
