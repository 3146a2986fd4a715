"""What a route, the notice timer or an event handler asks of advance notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.intake.notices.rules import Severity


@dataclass(frozen=True, slots=True)
class PublishAdvisory:
    manufacturer: str
    models: tuple[str, ...]
    firmware_from: str | None
    firmware_to: str | None
    text: str
    severity: Severity
    reference: str
    by: str


@dataclass(frozen=True, slots=True)
class NoticeEndOfLife:
    part_number: str
    manufacturer: str
    models: tuple[str, ...]
    end_of_production: date


@dataclass(frozen=True, slots=True)
class EmitDueNotices:
    """Emit notice.due for notices whose send-by time has come, at most `limit` at a time."""

    limit: int = 200
