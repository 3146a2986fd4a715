"""What clients send and receive about dispatching: decisions explained, reassignment, the board."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from shared.http.bodies import NOT_BLANK, StrictBody


class ReassignBody(StrictBody):
    engineer_id: UUID
    reason: str = Field(min_length=1, max_length=500, pattern=NOT_BLANK)
    role: Literal["lead", "support"] = "lead"


class DecisionPublic(BaseModel):
    id: UUID
    ticket_id: UUID
    made_at: datetime
    trigger: str = Field(description="What asked for it: ticket.created, assignment.timed_out, ...")
    want: str = Field(description="crew, one, support or expert_support")
    chosen: list[dict[str, str]]
    reason: str | None = Field(description="Why nobody was chosen")
    summary: str
    explanation: dict[str, Any] = Field(
        description="Every candidate weighed: each filter passed or failed, each score component"
    )


class BoardAssignment(BaseModel):
    id: UUID
    ticket_id: UUID
    number: str
    priority: str
    engineer_id: UUID
    engineer_name: str
    role: str
    status: str
    assigned_at: datetime
    respond_by: datetime | None
    onsite_due: datetime | None
    age_minutes: float
    overdue_answer: bool


class BoardUnassigned(BaseModel):
    id: UUID
    number: str
    priority: str
    category: str
    region: str | None
    unassigned_reason: str | None
    received_at: datetime
    age_minutes: float


class BoardEngineer(BaseModel):
    id: UUID
    name: str
    team: str
    seniority: str
    status: str
    capacity: int
    load: int
    on_shift: bool
    on_call: bool


class Board(BaseModel):
    at: datetime
    assignments: dict[str, list[BoardAssignment]]
    counts: dict[str, int]
    unassigned: list[BoardUnassigned]
    engineers: list[BoardEngineer]
