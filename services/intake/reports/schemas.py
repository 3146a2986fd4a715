"""What clients send and receive about service reports."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from services.intake.reports.rules import FaultType, Part, Report, ServiceReport, Source
from shared.http.service_report import ServiceReportBody


class ReportBody(ServiceReportBody):
    """IN-5, as the centre records it: with who worked on it."""

    engineer_ids: list[UUID] = Field(
        default_factory=list, max_length=20, description="Who worked on it, if anyone was sent"
    )

    def report(self) -> Report:
        return Report(
            work_done=self.work_done,
            root_cause=self.root_cause,
            fault_type=FaultType(self.fault_type),
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
