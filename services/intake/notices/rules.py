"""IN-9 / IV-5: who is told of a problem, and by when. Pure: no I/O.

Send-by times. An advisory's severity sets how soon its notices go out: critical at once,
major within a day, minor within a week (the centre batches minor ones into its weekly
mail-out). An end-of-life announcement is told 6 calendar months before the end of
production (IV-5: 提前半年书面通知), at 00:00 UTC of that day; if that day has passed
already, at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from uuid import UUID

from shared.businesstime import add_months


class Severity(StrEnum):
    critical = "critical"
    major = "major"
    minor = "minor"


class NoticeStatus(StrEnum):
    pending = "pending"  # recorded, its send-by time not reached yet
    due = "due"  # notice.due emitted: delivery is escalation's


class Source(StrEnum):
    advisory = "advisory"
    eol = "eol"


SEND_WITHIN: Mapping[Severity, timedelta] = MappingProxyType(
    {
        Severity.critical: timedelta(0),
        Severity.major: timedelta(days=1),
        Severity.minor: timedelta(days=7),
    }
)
EOL_NOTICE_MONTHS = 6


def advisory_send_by(severity: Severity, now: datetime) -> datetime:
    return now + SEND_WITHIN[severity]


def eol_send_by(end_of_production: date, now: datetime) -> datetime:
    due = datetime.combine(add_months(end_of_production, -EOL_NOTICE_MONTHS), time(), UTC)
    return max(due, now)


def serials_by_customer(assets: Iterable[tuple[UUID, str]]) -> dict[UUID, list[str]]:
    """One notice per customer: each customer's affected serials, sorted, once each."""
    found: defaultdict[UUID, set[str]] = defaultdict(set)
    for customer_id, serial in assets:
        found[customer_id].add(serial)
    return {customer: sorted(serials) for customer, serials in found.items()}
