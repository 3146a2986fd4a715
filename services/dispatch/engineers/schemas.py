"""What clients send and receive about engineers."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from services.dispatch.assignments.decision import Skill
from shared.http.bodies import NOT_BLANK, StrictBody


class EngineerCreate(StrictBody):
    name: str = Field(min_length=1, max_length=200, pattern=NOT_BLANK)
    skills: list[Skill] = Field(min_length=1, max_length=len(Skill))
    region: str | None = Field(default=None, min_length=1, max_length=64, pattern=NOT_BLANK)


class EngineerPublic(BaseModel):
    id: UUID
    name: str
    skills: list[Skill]
    region: str | None
    active: bool
    created_at: datetime
