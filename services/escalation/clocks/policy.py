"""ES-1/ES-2: which SLA clocks a ticket gets, on which calendar, and when one is late.

Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol


class ClockKind(StrEnum):
    response = "response"  # ES-2: someone takes the job
    restore = "restore"  # ES-1: the customer's service is back


# ES-2: respond within 30 minutes, whatever the priority.
RESPONSE_TARGET = timedelta(minutes=30)
# ES-1: P1 diagnosed and resolved within 1 h, P2 2 h, P3 4 h, P4 24 h.
RESTORE_TARGETS = {
    "P1": timedelta(hours=1),
    "P2": timedelta(hours=2),
    "P3": timedelta(hours=4),
    "P4": timedelta(hours=24),
}


class Calendar(Protocol):
    name: str

    def add(self, start: datetime, duration: timedelta) -> datetime: ...


class AroundTheClock:
    """7x24: every minute counts (IN-10, emergencies and phone support)."""

    name = "24x7"

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return start + duration


@dataclass(frozen=True, slots=True)
class ClockPlan:
    kind: ClockKind
    target: timedelta
    due_at: datetime


def plan_clocks(priority: str, opened_at: datetime, calendar: Calendar) -> list[ClockPlan]:
    targets = {ClockKind.response: RESPONSE_TARGET, ClockKind.restore: RESTORE_TARGETS[priority]}
    return [
        ClockPlan(kind, target, calendar.add(opened_at, target)) for kind, target in targets.items()
    ]


def is_breached(due_at: datetime, met_at: datetime | None, now: datetime) -> bool:
    return (met_at or now) > due_at
