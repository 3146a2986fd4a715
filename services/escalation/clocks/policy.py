"""The SLA policy: which clocks a ticket gets, their targets, the calendar each counts on, and
the ladder's step limits (ES-1, ES-2, ES-3, DS-4, IN-10, IV-2). Pure: no I/O.

A policy belongs to a contract (from `contract.*` events); a ticket tied to no contract gets the
seed's defaults on its own coverage and calendar. The policy names calendars; turning a name into
a `Calendar` is injected (`calendars`), because admins define calendars over the API.

Decisions, in one place:
- Targets where the contract is silent: response 30 min (ES-2); restore P1 60, P2 120, P3 240,
  P4 1440 min (ES-1); on site the contract's terms (DS-4), 360 min without a contract (the
  project terms, the longer of the seed's two); repair 5 working days, only for a ticket on an
  asset (IV-2: past that the customer gets a loaner).
- Which calendar (IN-10: 5x8 on site as standard, 7x24 on site for emergencies where bought):
  a 7x24 contract runs every promise around the clock; a contract with emergency on-site 7x24
  cover runs P1 and P2 (the emergencies) around the clock; everything else counts on the
  contract's calendar. Repair always counts on the contract's calendar: IV-2 promises working
  days, which the on-site cover bought does not change.
- A working day is the calendar's standard day in business minutes (`working_day_minutes`), so
  a day-denominated promise stays a clock of minutes that pauses like every other. On a calendar
  whose working days are equally long (cn-5x8: 540, 24x7: 1440) `add` of 5 such days lands on
  the same local time five working days on, skipping weekends and holidays and counting make-up
  days; an hour awaiting the customer moves it by an hour, which a count of dates could not.
- Step limits (ES-3) run on the calendar of the priority's restore clock: a 15-minute limit on a
  P1 reported at 22:00 under emergency cover must run at 22:00, the cover exists for exactly
  that. Defaults: one working day (the seed's 一般情况下每个步骤限时1天) for P3 and P4; P1 and P2
  get limits inside their own promises (`STEP_MINUTES`). A contract may set its own per priority
  and step (`contract.*`'s `step_limits`); a step it leaves out keeps the default.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from shared.businesstime import Calendar
from shared.errors import DomainError

if TYPE_CHECKING:
    from shared.events.intake import ContractEvent


class ClockKind(StrEnum):
    response = "response"  # ES-2: an engineer takes the job
    on_site = "on_site"  # DS-4: an engineer is on site
    restore = "restore"  # ES-1: the customer's service is back
    repair = "repair"  # IV-2: the asset is repaired; past its target a loaner is due


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class Coverage(StrEnum):
    five_by_eight = "5x8"
    seven_by_twenty_four = "7x24"


class Step(StrEnum):
    """ES-3: the handling steps the ladder times; the values are `escalation.raised`'s `step`."""

    accept = "assigned_to_accepted"
    arrive = "accepted_to_on_site"
    resolve = "on_site_to_resolved"


ALWAYS = "24x7"
DEFAULT_CALENDAR = "cn-5x8"  # IN-10's standard cover: Mon-Fri 08:30-17:30 with China's holidays
DEFAULT_WARNINGS: tuple[float, ...] = (0.5, 0.8)

# ES-2: respond within 30 minutes (半小时响应), whatever the priority.
RESPONSE_MINUTES = 30
# ES-1: P1 diagnosed and resolved within 1 h, P2 2 h, P3 4 h, P4 24 h.
RESTORE_MINUTES: Mapping[Priority, int] = MappingProxyType(
    {Priority.P1: 60, Priority.P2: 120, Priority.P3: 240, Priority.P4: 1440}
)
# DS-4: on site within 6 hours (project terms) or 2 hours (emergency terms), per contract.
DEFAULT_ONSITE_MINUTES = 360
# IV-2: a repair longer than 5 working days gets a loaner.
REPAIR_WORKING_DAYS = 5
# IN-10: what counts as an emergency, for the 7x24 on-site cover.
EMERGENCIES = frozenset({Priority.P1, Priority.P2})

# ES-3 for the emergencies; P3 and P4 take one working day per step. Why these minutes:
# - accept: P1 15 = half the 30-minute response promise, so the lead hears of it while the
#   promise can still be kept by someone else; P2 30 = the response promise itself.
# - arrive: P1 120 = DS-4's emergency on-site terms; P2 240, twice that and inside the project
#   terms' 6 hours.
# - resolve: ES-1's restore targets; an emergency not fixed in that long once someone is on site
#   needs the next level's resources (ES-4).
STEP_MINUTES: Mapping[Priority, Mapping[Step, int]] = MappingProxyType(
    {
        Priority.P1: MappingProxyType({Step.accept: 15, Step.arrive: 120, Step.resolve: 60}),
        Priority.P2: MappingProxyType({Step.accept: 30, Step.arrive: 240, Step.resolve: 120}),
    }
)
STEP_WORKING_DAYS = 1

# No promise is longer than a year (the intake API's bound on minutes).
MAX_MINUTES = 525_600


_E = TypeVar("_E", bound=StrEnum)


class InvalidPolicy(DomainError):
    title = "Invalid SLA policy"


@dataclass(frozen=True, slots=True)
class TargetOverride:
    """A contract's own minutes for one priority; None keeps the seed's."""

    response_minutes: int | None = None
    restore_minutes: int | None = None


class ClockTarget(NamedTuple):
    kind: ClockKind
    minutes: int
    calendar: str


class StepLimit(NamedTuple):
    step: Step
    minutes: int
    calendar: str


def working_day_minutes(cal: Calendar) -> int:
    """The business minutes of the calendar's standard working day.

    The length most of its working weekdays have (ties: the longer), so a short Saturday does
    not shorten the week's day, and holidays and make-up days do not matter (they are dates,
    not the week's shape). cn-5x8: 540; 24x7: 1440.
    """
    lengths = Counter(
        total for total in (sum(r.end - r.start for r in day) for day in cal.week) if total
    )
    return max(lengths, key=lambda total: (lengths[total], total))


@dataclass(frozen=True)
class Policy:
    calendar: str = DEFAULT_CALENDAR
    coverage: Coverage = Coverage.five_by_eight
    emergency_onsite_7x24: bool = False
    onsite_minutes: int = DEFAULT_ONSITE_MINUTES
    # Only where the contract differs from the seed, as intake sends them.
    targets: Mapping[Priority, TargetOverride] = field(default_factory=dict)
    step_limits: Mapping[Priority, Mapping[Step, int]] = field(default_factory=dict)
    warnings: tuple[float, ...] = DEFAULT_WARNINGS

    def __post_init__(self) -> None:
        if not isinstance(self.calendar, str) or not self.calendar:
            raise InvalidPolicy("a policy names the calendar it counts on", field="calendar")
        object.__setattr__(self, "coverage", _member(Coverage, self.coverage, "coverage"))
        _check_minutes(self.onsite_minutes, "onsite_minutes")
        for priority, own in self.targets.items():
            _member(Priority, priority, "targets")
            for name in ("response_minutes", "restore_minutes"):
                value = getattr(own, name)
                if value is not None:
                    _check_minutes(value, f"targets.{priority}.{name}")
        for priority, limits in self.step_limits.items():
            _member(Priority, priority, "step_limits")
            for step, minutes in limits.items():
                _member(Step, step, f"step_limits.{priority}")
                _check_minutes(minutes, f"step_limits.{priority}.{step}")
        fractions = tuple(self.warnings)
        if any(not 0 < f < 1 for f in fractions) or list(fractions) != sorted(set(fractions)):
            raise InvalidPolicy(
                f"warnings are fractions between 0 and 1, rising, each once: {fractions}",
                field="warnings",
            )
        object.__setattr__(self, "warnings", fractions)

    @classmethod
    def from_contract(cls, contract: ContractEvent) -> Policy:
        """The policy a `contract.registered` or `contract.updated` event states."""
        return cls(
            calendar=contract.calendar,
            coverage=Coverage(contract.coverage),
            emergency_onsite_7x24=contract.emergency_onsite_7x24,
            onsite_minutes=contract.onsite_minutes,
            targets={
                Priority(p): TargetOverride(t.response_minutes, t.restore_minutes)
                for p, t in contract.targets.items()
            },
            step_limits=step_overrides(
                {p: s.model_dump() for p, s in contract.step_limits.items()}
            ),
        )

    @classmethod
    def without_contract(cls, coverage: str | None, calendar: str | None) -> Policy:
        """The seed's defaults on what the ticket itself says of its cover (IN-10).

        For a ticket tied to no contract, or whose contract escalation has not heard of yet
        (the contract's policy replaces it when its event arrives).
        """
        return cls(
            calendar=calendar or DEFAULT_CALENDAR,
            coverage=Coverage(coverage) if coverage else Coverage.five_by_eight,
        )

    def calendar_for(self, priority: Priority | str, kind: ClockKind) -> str:
        priority = _member(Priority, priority, "priority")
        if kind is ClockKind.repair:
            return self.calendar
        if self.coverage is Coverage.seven_by_twenty_four:
            return ALWAYS
        if self.emergency_onsite_7x24 and priority in EMERGENCIES:
            return ALWAYS
        return self.calendar

    def target_minutes(
        self, priority: Priority | str, kind: ClockKind, calendars: Callable[[str], Calendar]
    ) -> int:
        priority = _member(Priority, priority, "priority")
        own = self.targets.get(priority, TargetOverride())
        if kind is ClockKind.response:
            return RESPONSE_MINUTES if own.response_minutes is None else own.response_minutes
        if kind is ClockKind.restore:
            seed = RESTORE_MINUTES[priority]
            return seed if own.restore_minutes is None else own.restore_minutes
        if kind is ClockKind.on_site:
            return self.onsite_minutes
        day = working_day_minutes(calendars(self.calendar_for(priority, kind)))
        return REPAIR_WORKING_DAYS * day

    def clocks_for(
        self, priority: Priority | str, has_asset: bool, calendars: Callable[[str], Calendar]
    ) -> tuple[ClockTarget, ...]:
        """The clocks a ticket of this priority opens; repair only on an asset (a serial given)."""
        kinds = [ClockKind.response, ClockKind.on_site, ClockKind.restore]
        if has_asset:
            kinds.append(ClockKind.repair)
        return tuple(
            ClockTarget(
                kind,
                self.target_minutes(priority, kind, calendars),
                self.calendar_for(priority, kind),
            )
            for kind in kinds
        )

    def step_limits_for(
        self, priority: Priority | str, calendars: Callable[[str], Calendar]
    ) -> tuple[StepLimit, ...]:
        """ES-3: each step's limit, in Step order, on the priority's restore calendar."""
        priority = _member(Priority, priority, "priority")
        name = self.calendar_for(priority, ClockKind.restore)
        own = self.step_limits.get(priority, {})
        seed = STEP_MINUTES.get(priority, {})
        day: int | None = None
        limits = []
        for step in Step:
            minutes = own.get(step) or seed.get(step)
            if minutes is None:
                day = day or working_day_minutes(calendars(name))
                minutes = STEP_WORKING_DAYS * day
            limits.append(StepLimit(step, minutes, name))
        return tuple(limits)


def _member(enum: type[_E], value: object, where: str) -> _E:
    try:
        return enum(str(value))
    except ValueError:
        known = ", ".join(m.value for m in enum)
        raise InvalidPolicy(f"{value!r} is not one of {known}", field=where) from None


def _check_minutes(value: object, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_MINUTES:
        raise InvalidPolicy(
            f"{value!r} is not a whole number of minutes from 1 to {MAX_MINUTES}", field=where
        )


_STEP_FIELDS = {
    "accept_minutes": Step.accept,
    "arrive_minutes": Step.arrive,
    "resolve_minutes": Step.resolve,
}


def step_overrides(
    limits: Mapping[str, Mapping[str, int | None]],
) -> dict[Priority, dict[Step, int]]:
    """A contract's `step_limits` as sent (`{"P1": {"accept_minutes": 15}}`) as the policy's
    overrides; a step left out keeps its default."""
    return {
        Priority(priority): {
            _STEP_FIELDS[name]: minutes
            for name, minutes in steps.items()
            if name in _STEP_FIELDS and minutes is not None
        }
        for priority, steps in limits.items()
    }
