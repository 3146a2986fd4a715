"""RP-1 / RP-2: how a month is cut and how its figures are summed. Pure: no I/O.

A month is a calendar month in Asia/Shanghai: the service centre, its customers and the
engineers' review all count days in Beijing time, so a fault reported at 00:30 on the 1st
belongs to that month, not to the one before as it would in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from uuid import UUID
from zoneinfo import ZoneInfo

from services.intake.tickets.classification import Channel, Priority
from shared.errors import DomainError

REPORT_ZONE = ZoneInfo("Asia/Shanghai")
# Years the schema accepts are the years a report can cover: a matching month is never refused.
MONTH_PATTERN = r"^(19[7-9]\d|2\d{3})-(0[1-9]|1[0-2])$"
SLA_KINDS = ("response", "on_site", "restore", "repair")


class InvalidMonth(DomainError):
    title = "Invalid month"


class Outcome(StrEnum):
    met = "met"
    breached = "breached"


@dataclass(frozen=True, slots=True)
class Period:
    month: str
    start: datetime  # inclusive, UTC
    end: datetime  # exclusive, UTC


def period(month: str) -> Period:
    if re.fullmatch(MONTH_PATTERN, month) is None:
        raise InvalidMonth(f"a month is YYYY-MM (1970 to 2999), not {month!r}", field="month")
    try:
        year, number = (int(part) for part in month.split("-"))
        first = datetime(year, number, 1, tzinfo=REPORT_ZONE)
        after = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=REPORT_ZONE)
    except ValueError:
        raise InvalidMonth(f"a month is YYYY-MM, not {month!r}", field="month") from None
    return Period(month, first.astimezone(UTC), after.astimezone(UTC))


def met_outcome(due_at: datetime, met_at: datetime) -> Outcome:
    """A clock stopped after its deadline was not met, whatever the event's name says."""
    return Outcome.met if met_at <= due_at else Outcome.breached


def share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def mean(total: float, count: int) -> float | None:
    return None if count == 0 else round(total / count, 2)


def counts_by(keys: Iterable[str], found: Mapping[str, int]) -> dict[str, int]:
    """Every known key, zero when nothing was found, then anything unexpected as found."""
    return {key: found.get(key, 0) for key in keys} | dict(found)


def tickets_by_priority(found: Mapping[str, int]) -> dict[str, int]:
    return counts_by((p.value for p in Priority), found)


def tickets_by_channel(found: Mapping[str, int]) -> dict[str, int]:
    return counts_by((c.value for c in Channel), found)


@dataclass(frozen=True, slots=True)
class SlaLine:
    met: int
    breached: int

    @property
    def met_share(self) -> float | None:
        return share(self.met, self.met + self.breached)


def sla_by_kind(rows: Iterable[tuple[str, str, int]]) -> dict[str, SlaLine]:
    """(kind, outcome, count) rows as one line per kind, every known kind present."""
    counts: dict[str, dict[str, int]] = {kind: {} for kind in SLA_KINDS}
    for kind, outcome, count in rows:
        counts.setdefault(kind, {})[outcome] = count
    return {
        kind: SlaLine(met=c.get(Outcome.met, 0), breached=c.get(Outcome.breached, 0))
        for kind, c in counts.items()
    }


@dataclass(frozen=True, slots=True)
class EngineerWork:
    engineer_id: UUID
    completed: int
    restore_met: int
    rating_sum: int
    ratings: int


@dataclass(frozen=True, slots=True)
class EngineerLine:
    engineer_id: UUID
    tickets_completed: int
    share_of_work: float | None
    on_time_share: float | None
    mean_rating: float | None
    ratings: int


def engineer_lines(work: Iterable[EngineerWork], tickets_completed: int) -> list[EngineerLine]:
    """RP-1: share of work is of the month's completed tickets (a ticket two engineers worked
    counts for both); on time is the restore SLA met."""
    return [
        EngineerLine(
            engineer_id=w.engineer_id,
            tickets_completed=w.completed,
            share_of_work=share(w.completed, tickets_completed),
            on_time_share=share(w.restore_met, w.completed),
            mean_rating=mean(w.rating_sum, w.ratings),
            ratings=w.ratings,
        )
        for w in sorted(work, key=lambda w: (-w.completed, str(w.engineer_id)))
    ]
