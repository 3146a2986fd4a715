"""RP-2: SLA compliance by priority, customer and engineer, as a month's figures. Pure: no I/O.

A month is a calendar month in Asia/Shanghai, as intake's reports count it. A clock counts in
the month its outcome was settled: a breach at its due time, a met promise at its stop. A
breach announced stands (a late fact that would now say "met" does not turn it round); an
engineer is credited with every clock of every ticket they were assigned to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from shared.errors import DomainError

REPORT_ZONE = ZoneInfo("Asia/Shanghai")
MONTH_PATTERN = r"^(19[7-9]\d|2\d{3})-(0[1-9]|1[0-2])$"


class By(StrEnum):
    priority = "priority"
    customer = "customer"
    engineer = "engineer"


class InvalidMonth(DomainError):
    title = "Invalid month"


@dataclass(frozen=True, slots=True)
class Period:
    month: str
    start: datetime  # inclusive, UTC
    end: datetime  # exclusive, UTC


def period(month: str) -> Period:
    if re.fullmatch(MONTH_PATTERN, month) is None:
        raise InvalidMonth(f"a month is YYYY-MM (1970 to 2999), not {month!r}", field="month")
    year, number = (int(part) for part in month.split("-"))
    first = datetime(year, number, 1, tzinfo=REPORT_ZONE)
    after = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=REPORT_ZONE)
    return Period(month, first.astimezone(UTC), after.astimezone(UTC))


@dataclass(frozen=True, slots=True)
class Line:
    key: str
    kind: str
    met: int
    breached: int
    mean_used_minutes: float | None  # of the met ones: how much of the promise they needed

    @property
    def met_share(self) -> float | None:
        whole = self.met + self.breached
        return None if whole == 0 else round(self.met / whole, 4)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "met": self.met,
            "breached": self.breached,
            "met_share": self.met_share,
            "mean_used_minutes": self.mean_used_minutes,
        }


KIND_ORDER = ("response", "on_site", "restore", "repair")


def lines(rows: Iterable[Mapping[str, Any]]) -> list[Line]:
    """(key, kind, met, breached, mean) rows as lines, by key then the clocks' order."""
    found = [
        Line(
            key=str(r["key"]),
            kind=r["kind"],
            met=r["met"],
            breached=r["breached"],
            mean_used_minutes=None if r["mean_used"] is None else round(r["mean_used"], 2),
        )
        for r in rows
    ]
    rank = {kind: n for n, kind in enumerate(KIND_ORDER)}
    return sorted(found, key=lambda line: (line.key, rank.get(line.kind, len(rank)), line.kind))
