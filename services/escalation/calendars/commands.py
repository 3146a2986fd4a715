"""What a route asks of calendars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from services.escalation.calendars.rules import Amendment
from shared.businesstime import Pause


@dataclass(frozen=True, slots=True)
class DefineCalendar:
    name: str
    timezone: str
    ranges: Mapping[str, Sequence[object]]
    holidays: Sequence[date] = ()
    workdays: Sequence[date] = ()
    by: str = ""


@dataclass(frozen=True, slots=True)
class ChangeCalendar:
    name: str
    change: Amendment
    # The version the client read: a change against an older one is refused (409), so two admins
    # editing one calendar do not silently undo each other.
    expected_version: int | None = None
    by: str = ""


@dataclass(frozen=True, slots=True)
class PreviewDue:
    name: str
    start: datetime
    minutes: float
    pauses: Sequence[Pause] = field(default=())
