"""What clients send and receive about service reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, Field

from services.intake.reports.rules import FaultType, Part, Report, ServiceReport, Source
from shared.http.bodies import NOT_BLANK, StrictBody, json_number

# The bounds before the validator, so the document shows them as JSON Schema bounds.
Quantity = Annotated[int, Field(ge=1, le=1000), BeforeValidator(json_number)]
MinutesOnSite = Annotated[
    int,
    Field(ge=0, le=100_000, description="None when fixed by phone"),
    BeforeValidator(json_number),
]


class PartUsedBody(StrictBody):
    part_number: str = Field(min_length=1, max_length=64, pattern=NOT_BLANK)
    serial_out: str | None = Field(
        default=None, min_length=1, max_length=100, pattern=NOT_BLANK, description="Taken out"
    )
    serial_in: str | None = Field(
        default=None, min_length=1, max_length=100, pattern=NOT_BLANK, description="Fitted"
    )
    quantity: Quantity = 1


class ReportBody(StrictBody):
    """IN-5. A serial may appear once in the whole parts list (422 otherwise)."""

    work_done: str = Field(min_length=1, max_length=10_000, pattern=NOT_BLANK)
    root_cause: str = Field(min_length=1, max_length=2_000, pattern=NOT_BLANK)
    fault_type: FaultType
    parts_used: list[PartUsedBody] = Field(default_factory=list, max_length=100)
    minutes_on_site: MinutesOnSite | None = None
    engineer_ids: list[UUID] = Field(
        default_factory=list, max_length=20, description="Who worked on it, if anyone was sent"
    )

    def report(self) -> Report:
        return Report(
            work_done=self.work_done,
            root_cause=self.root_cause,
            fault_type=self.fault_type,
            parts_used=tuple(Part(**p.model_dump()) for p in self.parts_used),
            minutes_on_site=self.minutes_on_site,
            engineer_ids=tuple(self.engineer_ids),
        )


class PartUsedPublic(BaseModel):
    part_number: str
    serial_out: str | None
    serial_in: str | None
    quantity: int


class ReportPublic(BaseModel):
    id: UUID
    ticket_id: UUID
    resolved_at: datetime
    source: Source = Field(
        description="centre: fixed by phone; engineer: from the engineer's phone"
    )
    assignment_id: UUID | None
    work_done: str
    root_cause: str
    fault_type: FaultType
    parts_used: list[PartUsedPublic]
    minutes_on_site: int | None
    engineer_ids: list[UUID]
    recorded_by: str
    recorded_at: datetime

    @classmethod
    def of(cls, stored: ServiceReport) -> ReportPublic:
        report = stored.report
        return cls(
            id=stored.id,
            ticket_id=stored.ticket_id,
            resolved_at=stored.resolved_at,
            source=stored.source,
            assignment_id=stored.assignment_id,
            work_done=report.work_done,
            root_cause=report.root_cause,
            fault_type=report.fault_type,
            parts_used=[
                PartUsedPublic.model_validate(p, from_attributes=True) for p in report.parts_used
            ],
            minutes_on_site=report.minutes_on_site,
            engineer_ids=list(report.engineer_ids),
            recorded_by=stored.recorded_by,
            recorded_at=stored.recorded_at,
        )
