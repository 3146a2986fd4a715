"""What clients receive about SLA clocks and the ladder, and what they send to hold it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, Field

from services.escalation.clocks.clock import ClockStatus
from services.escalation.clocks.policy import ClockKind
from shared.http.bodies import StrictBody, json_number


class ClockPublic(BaseModel):
    id: UUID
    kind: ClockKind
    calendar: str = Field(description="The calendar it counts business minutes on (IN-10, ES-7)")
    target_minutes: int = Field(description="Business minutes promised")
    started_at: datetime = Field(description="When the ticket was reported")
    due_at: datetime = Field(
        description="When the promise runs out; while paused, as if it ran again now"
    )
    status: ClockStatus
    holds: list[str] = Field(
        description="Why it stands still: awaiting_customer, part_backordered:<part number>"
    )
    used_minutes: float = Field(description="Business minutes used, paused time not counted")
    paused_minutes: float = Field(description="Business minutes the holds kept from counting")
    remaining_minutes: float
    stopped_at: datetime | None
    met_at: datetime | None = Field(description="The stop, when it came in time")
    breached: bool
    breached_at: datetime | None = Field(description="When the breach was announced as due")
    warnings_sent: list[float] = Field(description="Fractions of the target announced")
    next_threshold_at: datetime | None = Field(
        description="The next warning or the breach still to come"
    )


class LadderEntryPublic(BaseModel):
    kind: str = Field(
        description="step_started, step_done, raised, acknowledged, breach_noted, reopened, stopped"
    )
    at: datetime
    level: int
    step: str | None
    reason: str | None = Field(description="For a raise: breach, step_limit or unassigned")
    by: str | None
    until: datetime | None = Field(description="A step's limit at this level; a hold's end")
    clock_id: UUID | None


class LadderPublic(BaseModel):
    level: int = Field(description="0 with the engineers; 1 team lead .. 4 project director")
    role: str | None
    contact: dict[str, Any] | None = Field(description="Who must act at this level")
    step: str | None
    step_started_at: datetime | None
    step_due_at: datetime | None
    held_until: datetime | None
    next_raise_at: datetime | None = Field(description="When it climbs unless someone acts")
    acknowledged_levels: list[int]
    at_rest: bool
    stopped_at: datetime | None
    history: list[LadderEntryPublic]


class TicketSla(BaseModel):
    ticket_id: UUID
    number: str
    priority: str
    status: str
    clocks: list[ClockPublic]
    ladder: LadderPublic | None


def _level(value: Any) -> Any:
    return value if value is None else json_number(value)


class AckBody(StrictBody):
    level: Annotated[
        int | None,
        Field(ge=1, le=4, description="The level acknowledged; the ticket's current one if absent"),
        BeforeValidator(_level),
    ] = None


class BreachPublic(BaseModel):
    id: UUID = Field(description="The clock")
    ticket_id: UUID
    number: str
    customer_id: UUID
    priority: str
    kind: ClockKind
    calendar: str
    target_minutes: int
    due_at: datetime
    breached_at: datetime
    status: ClockStatus
