"""The monthly inspection (DS-6) and its site check (DS-8). No I/O here.

DS-8: power 220 V / 50 Hz, earth resistance < 1 Ω, UPS output sufficient, room 5-35 °C,
humidity 30-85 %RH, no strong electromagnetic interference, no corrosive substances; each
nonconformity with a remedy, handed to the customer in writing.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, tzinfo
from enum import StrEnum
from types import MappingProxyType
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.dispatch.assignments.decision import Team
from shared.errors import Conflict, DomainError, NotFound


class InspectionStatus(StrEnum):
    scheduled = "scheduled"
    completed = "completed"


class ReadingName(StrEnum):
    supply_voltage_v = "supply_voltage_v"
    frequency_hz = "frequency_hz"
    earth_resistance_ohm = "earth_resistance_ohm"
    ups_output_sufficient = "ups_output_sufficient"
    ups_load_percent = "ups_load_percent"
    room_temperature_c = "room_temperature_c"
    humidity_percent = "humidity_percent"
    em_interference = "em_interference"
    corrosives = "corrosives"


Value = float | bool


@dataclass(frozen=True, slots=True)
class Readings:
    """Every reading the site check records; the field names are `ReadingName`'s."""

    supply_voltage_v: float
    frequency_hz: float
    earth_resistance_ohm: float
    ups_output_sufficient: bool
    ups_load_percent: float
    room_temperature_c: float
    humidity_percent: float
    em_interference: bool
    corrosives: bool

    def as_dict(self) -> dict[str, Value]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class Limit:
    text: str  # as the written report states it
    conforms: Callable[[Value], bool]


def _between(low: float, high: float) -> Callable[[Value], bool]:
    return lambda value: low <= value <= high


def _below(bound: float) -> Callable[[Value], bool]:
    return lambda value: value < bound


def _is(expected: bool) -> Callable[[Value], bool]:
    return lambda value: value is expected


# The seed's limits. The bounds are written out rather than computed from 220 V ± 10 %:
# 220 * 1.1 is 242.00000000000003 in floating point, a bound just past the seed's.
# The UPS load has no limit of its own: it is recorded beside the judgement that the UPS
# output is sufficient, which the engineer makes against the site's actual load.
LIMITS: Mapping[ReadingName, Limit] = MappingProxyType(
    {
        ReadingName.supply_voltage_v: Limit("220 V ± 10 % (198–242 V)", _between(198.0, 242.0)),
        ReadingName.frequency_hz: Limit("50 Hz ± 1 Hz (49–51 Hz)", _between(49.0, 51.0)),
        ReadingName.earth_resistance_ohm: Limit("< 1 Ω", _below(1.0)),
        ReadingName.ups_output_sufficient: Limit("UPS output sufficient", _is(True)),
        ReadingName.room_temperature_c: Limit("5–35 °C", _between(5.0, 35.0)),
        ReadingName.humidity_percent: Limit("30–85 %RH", _between(30.0, 85.0)),
        ReadingName.em_interference: Limit("no strong electromagnetic interference", _is(False)),
        ReadingName.corrosives: Limit("no corrosive substances", _is(False)),
    }
)


@dataclass(frozen=True, slots=True)
class Nonconformity:
    reading: ReadingName
    value: Value
    limit: str
    remedy: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "reading": self.reading.value,
            "value": self.value,
            "limit": self.limit,
            "remedy": self.remedy,
        }


class RemedyMissing(DomainError):
    title = "Nonconformity without a remedy"


def check(readings: Readings) -> list[Nonconformity]:
    """DS-8: every reading outside the seed's limits, in the order the report lists them."""
    found = []
    for reading, limit in LIMITS.items():
        value: Value = getattr(readings, reading.value)
        if not limit.conforms(value):
            found.append(Nonconformity(reading, value, limit.text))
    return found


def with_remedies(
    found: Sequence[Nonconformity], remedies: Mapping[ReadingName, str]
) -> list[Nonconformity]:
    """DS-8: each nonconformity carries the remedy promised to the customer in writing.

    A remedy for a reading within its limits is advice, kept in the report as sent.
    """
    lacking = [n for n in found if not remedies.get(n.reading, "").strip()]
    if lacking:
        listed = ", ".join(f"{n.reading.value} ({n.value}; limit {n.limit})" for n in lacking)
        raise RemedyMissing(
            f"each nonconformity needs a remedy (DS-8); none given for {listed}",
            readings=[n.reading.value for n in lacking],
        )
    return [replace(n, remedy=remedies[n.reading].strip()) for n in found]


def site_check(readings: Readings, remedies: Mapping[ReadingName, str]) -> list[Nonconformity]:
    return with_remedies(check(readings), remedies)


# --- the schedule ------------------------------------------------------------------------


def zone(name: str | None) -> tzinfo:
    """A site's time zone; no site decides in UTC.

    Intake accepts only zones the tz database knows; one it has since dropped counts as UTC
    rather than stopping the schedule of every contract.
    """
    if name is None:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _local(at: datetime, where: tzinfo) -> datetime:
    if at.tzinfo is None:
        raise ValueError("an instant needs its time zone")
    return at.astimezone(where)


def month_of(at: datetime, where: tzinfo) -> str:
    """The month (YYYY-MM) the instant falls in at the site: its inspection's month."""
    return _local(at, where).strftime("%Y-%m")


def local_date(at: datetime, where: tzinfo) -> date:
    return _local(at, where).date()


def due_by(month: str) -> date:
    """DS-6: the month's inspection is due by the month's last day."""
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, calendar.monthrange(year, number)[1])


def in_warranty(warranty_start: date, warranty_end: date, today: date) -> bool:
    """A contract is inspected in the months it covers: both end days count."""
    return warranty_start <= today <= warranty_end


# --- filing the report -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Inspection:
    id: UUID
    contract_id: UUID
    site_id: UUID | None
    month: str
    engineer_id: UUID | None
    status: InspectionStatus


class InspectionNotFound(NotFound):
    title = "No such inspection"


class InspectionReported(Conflict):
    title = "Inspection already reported"


class InspectionUnassigned(Conflict):
    title = "Inspection has no engineer"


def may_report(inspection: Inspection) -> UUID:
    """The engineer the report is filed for: the inspection's own, while it is still open."""
    if inspection.status is not InspectionStatus.scheduled:
        raise InspectionReported(
            f"inspection {inspection.id} has its report already",
            current_status=inspection.status.value,
        )
    if inspection.engineer_id is None:
        raise InspectionUnassigned(
            f"inspection {inspection.id} has no engineer to file its report for",
            current_status=inspection.status.value,
        )
    return inspection.engineer_id


def report_document(
    readings: Readings,
    nonconformities: Sequence[Nonconformity],
    remedies: Mapping[ReadingName, str],
    *,
    findings: str,
    advice: str,
    occurred_at: datetime,
    filed_by: str,
) -> dict[str, Any]:
    """The report as stored and answered: JSON, the written record handed to the customer."""
    return {
        "readings": readings.as_dict(),
        "nonconformities": [n.as_dict() for n in nonconformities],
        "remedies": {reading.value: text.strip() for reading, text in remedies.items()},
        "findings": findings,
        "advice": advice,
        "occurred_at": occurred_at.isoformat(),
        "filed_by": filed_by,
    }


@dataclass(frozen=True, slots=True)
class Inspector:
    """An engineer as the inspection schedule weighs them."""

    engineer_id: UUID
    team: str
    regions: frozenset[str]
    load: int  # live assignments and open inspections


def choose_inspector(region: str | None, engineers: Sequence[Inspector]) -> Inspector | None:
    """Who inspects a contract without an active resident engineer: as a P4 would be sent.

    The least-loaded active engineer covering the site's region or in the mobile pool; at
    equal load the region's own engineers before the pool. No region: anyone.
    """
    eligible = [
        e for e in engineers if region is None or region in e.regions or e.team == Team.mobile_pool
    ]
    return min(
        eligible,
        key=lambda e: (e.load, region is not None and region not in e.regions, e.engineer_id),
        default=None,
    )
