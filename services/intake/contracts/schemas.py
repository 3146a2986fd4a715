"""What clients send and receive about contracts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field
from pydantic.json_schema import SkipJsonSchema

from services.intake.contacts.schemas import Email, Phone
from services.intake.contracts.rules import Calendar, Coverage, Priority
from shared.http.bodies import NOT_BLANK, StrictBody, json_number
from shared.http.patch import PatchBody

# Constraints on the field itself (not on a nested Annotated): only there does the document show them.
Minutes = Annotated[
    int,
    Field(ge=1, le=525_600, description="Minutes (at most a year)"),
    BeforeValidator(json_number),
]
Text = Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK)]


class TargetOverrideBody(StrictBody):
    response_minutes: Minutes | None = None
    restore_minutes: Minutes | None = None


# ES-3: a step longer than a week is no longer a step the ladder can time usefully.
StepMinutes = Annotated[
    int,
    Field(ge=1, le=10_080, description="Minutes (at most a week)"),
    BeforeValidator(json_number),
]


class StepLimitBody(StrictBody):
    accept_minutes: StepMinutes | None = Field(
        default=None, description="Assigned to accepted by the engineer"
    )
    arrive_minutes: StepMinutes | None = Field(default=None, description="Accepted to on site")
    resolve_minutes: StepMinutes | None = Field(default=None, description="On site to resolved")


class WaiverBody(StrictBody):
    signed_by: Text
    signed_at: AwareDatetime
    reference: Text


class LadderContactBody(StrictBody):
    level: Annotated[int, Field(ge=1, le=4), BeforeValidator(json_number)]
    name: Text
    email: Email | None = None
    phone: Phone | None = None


Targets = Annotated[
    dict[Priority, TargetOverrideBody],
    Field(
        description="Response and restore minutes per priority where they differ from the seed's "
        "(response 30; restore P1 60, P2 120, P3 240, P4 1440)"
    ),
]
StepLimits = Annotated[
    dict[Priority, StepLimitBody],
    Field(
        description="ES-3: the escalation ladder's step limits per priority where they differ from "
        "the defaults (P1 15/120/60, P2 30/240/120 minutes; P3 and P4 one working day each)"
    ),
]
Ladder = Annotated[
    list[LadderContactBody], Field(max_length=16, description="Who is told at levels 1-4")
]
OnsiteMinutes = Annotated[
    int,
    Field(ge=1, le=10_080, description="On-site terms: 120 or 360 in the seed"),
    BeforeValidator(json_number),
]


class ContractCreate(StrictBody):
    customer_id: UUID
    coverage: Coverage
    emergency_onsite_7x24: bool = False
    onsite_minutes: OnsiteMinutes
    calendar: Calendar
    targets: Targets = Field(default_factory=dict)
    step_limits: StepLimits = Field(default_factory=dict)
    warranty_start: date
    warranty_end: date | None = Field(
        default=None, description="IN-10: one year after the start when left out"
    )
    originals_waiver: WaiverBody | None = None
    resident_engineer_id: UUID | None = Field(
        default=None, description="DS-5: an engineer stationed on site"
    )
    ladder: Ladder = Field(default_factory=list)


class ContractPatch(PatchBody):
    """Only the fields given change (`targets`, `step_limits`, `ladder` replaced whole); it keeps its customer."""

    nullable = frozenset({"originals_waiver", "resident_engineer_id"})
    coverage: Coverage | SkipJsonSchema[None] = None
    emergency_onsite_7x24: bool | SkipJsonSchema[None] = None
    onsite_minutes: OnsiteMinutes | SkipJsonSchema[None] = None
    calendar: Calendar | SkipJsonSchema[None] = None
    targets: Targets | SkipJsonSchema[None] = None
    step_limits: StepLimits | SkipJsonSchema[None] = None
    warranty_start: date | SkipJsonSchema[None] = None
    warranty_end: date | SkipJsonSchema[None] = None
    originals_waiver: WaiverBody | None = None
    resident_engineer_id: UUID | None = None
    ladder: Ladder | SkipJsonSchema[None] = None


class TargetPublic(BaseModel):
    response_minutes: int | None
    restore_minutes: int | None


class StepLimitPublic(BaseModel):
    accept_minutes: int | None
    arrive_minutes: int | None
    resolve_minutes: int | None


class EffectiveTarget(BaseModel):
    response_minutes: int
    restore_minutes: int


class WaiverPublic(BaseModel):
    signed_by: str
    signed_at: datetime
    reference: str


class LadderContactPublic(BaseModel):
    level: int
    name: str
    email: str | None
    phone: str | None


class ContractPublic(BaseModel):
    id: UUID
    customer_id: UUID
    coverage: Coverage
    emergency_onsite_7x24: bool
    onsite_minutes: int
    calendar: Calendar
    targets: dict[Priority, TargetPublic] = Field(
        description="The contract's own targets, as registered"
    )
    effective_targets: dict[Priority, EffectiveTarget] = Field(
        description="The seed's, with the contract's applied"
    )
    step_limits: dict[Priority, StepLimitPublic] = Field(
        description="The contract's own step limits, as registered"
    )
    warranty_start: date
    warranty_end: date
    originals_waiver: WaiverPublic | None
    resident_engineer_id: UUID | None
    ladder: list[LadderContactPublic]
    created_at: datetime
    updated_at: datetime
