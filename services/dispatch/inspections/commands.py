"""What the schedule's timer and a route ask of inspections."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.dispatch.inspections.rules import ReadingName, Readings


@dataclass(frozen=True, slots=True)
class ScheduleInspections:
    """This month's inspection for each contract in warranty that has none, `limit` at a time."""

    limit: int = 200


@dataclass(frozen=True, slots=True)
class FileInspectionReport:
    """The site check and its findings. `engineer_id` None: the support team files it."""

    inspection_id: UUID
    engineer_id: UUID | None
    readings: Readings
    remedies: Mapping[ReadingName, str]
    findings: str
    advice: str
    occurred_at: datetime
    by: str
