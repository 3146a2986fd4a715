"""What an engineer is to dispatch (DS-2): status and shifts as calendars (team and seniority
are the decision's words, re-exported here).

Pure: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

from services.dispatch.assignments.decision import Seniority, Team
from shared.businesstime import Calendar, InvalidCalendar, calendar, from_definition
from shared.errors import DomainError

__all__ = ["EngineerStatus", "InvalidShift", "Seniority", "Team", "on_call_at", "shift_calendar"]


class EngineerStatus(StrEnum):
    active = "active"
    on_leave = "on_leave"


# A shift as stored: a built-in calendar's name, or an inline weekly definition
# {"timezone": ..., "ranges": {"mon-fri": ["08:30-12:00", "13:00-17:30"]}}.
ShiftDefinition = str | Mapping[str, Any]
OnCall = tuple[datetime, datetime]


class InvalidShift(DomainError):
    title = "Invalid shift"


def shift_calendar(shift: ShiftDefinition) -> Calendar:
    """The calendar of a shift; one object per distinct definition, so their day memos are shared
    by every engineer on the same shift (a decision asks a thousand of them at once)."""
    if isinstance(shift, str):
        return calendar(shift)
    return _inline(json.dumps(shift, sort_keys=True, default=str))


@lru_cache(maxsize=1024)
def _inline(definition: str) -> Calendar:
    try:
        return from_definition(json.loads(definition), name="shift")
    except InvalidCalendar as exc:
        raise InvalidShift(f"shift.{exc.detail}", field=f"shift.{exc.where}") from None


def on_call_at(periods: Sequence[OnCall], at: datetime) -> bool:
    return any(start <= at < end for start, end in periods)
