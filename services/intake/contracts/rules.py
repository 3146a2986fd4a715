"""Contract rules: targets, warranty and what a customer is entitled to. No I/O here.

IN-10: warranty is one year; in warranty all service is free, after it at cost; standard
coverage is 5x8 on site and 7x24 by phone, with 7x24 on site for emergencies where the
contract says so. DS-4: respond within 30 minutes; the restore targets per priority are
the seed's unless a contract overrides them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum
from types import MappingProxyType
from uuid import UUID

from shared.errors import DomainError


class Coverage(StrEnum):
    five_by_eight = "5x8"
    seven_by_twenty_four = "7x24"


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class Calendar(StrEnum):
    """The calendars shared/businesstime.py defines; a contract names the one its times run on."""

    always = "24x7"
    cn_5x8 = "cn-5x8"  # Mon-Fri 08:30-17:30 Asia/Shanghai with China's holidays


@dataclass(frozen=True, slots=True)
class Target:
    response_minutes: int
    restore_minutes: int


@dataclass(frozen=True, slots=True)
class TargetOverride:
    """A contract's own minutes for one priority; None keeps the seed's."""

    response_minutes: int | None = None
    restore_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class StepLimitOverride:
    """ES-3: a contract's own minutes for the ladder's steps of one priority; None keeps
    escalation's default (P1 15/120/60, P2 30/240/120, P3 and P4 one working day each)."""

    accept_minutes: int | None = None
    arrive_minutes: int | None = None
    resolve_minutes: int | None = None


# DS-4 and the seed: every priority answered within 30 minutes, restored within these.
DEFAULT_TARGETS: Mapping[Priority, Target] = MappingProxyType(
    {
        Priority.P1: Target(response_minutes=30, restore_minutes=60),
        Priority.P2: Target(response_minutes=30, restore_minutes=120),
        Priority.P3: Target(response_minutes=30, restore_minutes=240),
        Priority.P4: Target(response_minutes=30, restore_minutes=1440),
    }
)


class TargetsInconsistent(DomainError):
    title = "Restore target before response target"


class WarrantyInverted(DomainError):
    title = "Warranty ends before it starts"


def effective_targets(overrides: Mapping[Priority, TargetOverride]) -> dict[Priority, Target]:
    """The seed's targets with the contract's overrides applied, field by field."""
    targets = {}
    for priority, seed in DEFAULT_TARGETS.items():
        own = overrides.get(priority, TargetOverride())
        target = Target(
            response_minutes=seed.response_minutes
            if own.response_minutes is None
            else own.response_minutes,
            restore_minutes=seed.restore_minutes
            if own.restore_minutes is None
            else own.restore_minutes,
        )
        # A service cannot be restored before anyone has responded to the call.
        if target.restore_minutes < target.response_minutes:
            raise TargetsInconsistent(
                f"{priority}: restore in {target.restore_minutes} min comes before the response in "
                f"{target.response_minutes} min",
                field="targets",
                priority=priority.value,
            )
        targets[priority] = target
    return targets


def one_year_after(start: date) -> date:
    """IN-10: the last day of a one-year warranty starting on `start` (both days count).

    The day before the anniversary: 2026-03-15 gives 2027-03-14, and a 29 February start
    (no anniversary next year) gives 28 February.
    """
    try:
        anniversary = start.replace(year=start.year + 1)
    except ValueError:
        anniversary = date(start.year + 1, 3, 1)
    return anniversary - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Warranty:
    """Both days included, as dates in the customer's time zone."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise WarrantyInverted(
                f"warranty ends on {self.end}, before it starts on {self.start}",
                field="warranty_end",
            )

    @classmethod
    def from_acceptance(cls, accepted_on: date, end: date | None = None) -> Warranty:
        return cls(accepted_on, one_year_after(accepted_on) if end is None else end)

    def covers(self, at: datetime, zone: tzinfo = UTC) -> bool:
        # Days are the customer's: 07:00 in Shanghai the day after the last one is still the
        # last day in UTC, and out of warranty all the same.
        return self.start <= at.astimezone(zone).date() <= self.end


def in_warranty(warranty: Warranty, at: datetime, zone: tzinfo = UTC) -> bool:
    return warranty.covers(at, zone)


def chargeable(warranty: Warranty, at: datetime, zone: tzinfo = UTC) -> bool:
    """IN-10: in warranty all service is free; after it (or before acceptance) at cost."""
    return not warranty.covers(at, zone)


@dataclass(frozen=True, slots=True)
class Waiver:
    """The customer agreed that replaced parts need not be handed back (who signed, when, which document)."""

    signed_by: str
    signed_at: datetime
    reference: str


@dataclass(frozen=True, slots=True)
class LadderContact:
    level: int  # 1-4: who is told as a ticket climbs the escalation ladder
    name: str
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Contract:
    id: UUID
    customer_id: UUID
    coverage: Coverage
    emergency_onsite_7x24: bool
    onsite_minutes: int
    calendar: Calendar
    targets: Mapping[Priority, TargetOverride]  # only where the contract differs from the seed
    warranty_start: date
    warranty_end: date
    originals_waiver: Waiver | None
    resident_engineer_id: UUID | None  # DS-5: an engineer stationed at the customer
    ladder: tuple[LadderContact, ...]
    created_at: datetime
    updated_at: datetime
    # ES-3, only where the contract differs from escalation's defaults.
    step_limits: Mapping[Priority, StepLimitOverride] = field(default_factory=dict)

    @property
    def warranty(self) -> Warranty:
        return Warranty(self.warranty_start, self.warranty_end)


def check(contract: Contract) -> Contract:
    """Raise the first rule a new or changed contract breaks; return it unchanged otherwise."""
    Warranty(contract.warranty_start, contract.warranty_end)  # WarrantyInverted
    effective_targets(contract.targets)
    return contract


@dataclass(frozen=True, slots=True)
class Cover:
    """What the customer may have at one instant: phone support always (IN-10), on site per contract."""

    phone: bool
    onsite: bool
    onsite_minutes: int | None


def coverage_at(contract: Contract, *, working_time: bool, emergency: bool = False) -> Cover:
    """On site now, or only at the next opening of the calendar.

    `working_time` is whether the instant falls in the contract's calendar (shared.businesstime
    answers it); keeping it a parameter keeps this rule free of calendars and clocks.
    """
    onsite = (
        contract.coverage is Coverage.seven_by_twenty_four
        or working_time
        or (emergency and contract.emergency_onsite_7x24)
    )
    return Cover(
        phone=True, onsite=onsite, onsite_minutes=contract.onsite_minutes if onsite else None
    )


@dataclass(frozen=True, slots=True)
class Entitlement:
    contract_id: UUID
    coverage: Coverage
    calendar: Calendar
    in_warranty: bool
    chargeable: bool


def entitlement(
    contract: Contract, at: datetime, *, warranty: Warranty | None = None, zone: tzinfo = UTC
) -> Entitlement:
    """What a ticket reported at `at` is entitled to; `warranty` is the asset's when the ticket names one."""
    window = warranty or contract.warranty
    covered = window.covers(at, zone)
    return Entitlement(
        contract_id=contract.id,
        coverage=contract.coverage,
        calendar=contract.calendar,
        in_warranty=covered,
        chargeable=not covered,
    )
