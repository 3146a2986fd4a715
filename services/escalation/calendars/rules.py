"""Named calendars (ES-7): what an admin may define, how a change applies, and a due preview.

Pure: a definition in, a `Definition` (or a named refusal) out; `shared.businesstime` does the
arithmetic. A calendar is a time zone, working ranges per weekday or span of weekdays
(`{"mon-fri": ["08:30-12:00", "13:00-17:30"]}`), holidays (days off whatever their weekday) and
make-up working days (`workdays`: a weekend day worked instead, as China moves days around its
holidays; it works Monday's ranges).

Refusals, each naming its field, all answered 422 unless said otherwise:
- a time zone that is not an IANA zone the process knows;
- a range that is not HH:MM-HH:MM within one day, or overlaps another on the same weekday (a
  weekday may appear in several keys: `mon-fri` and `fri` add up when they do not overlap);
- a week with no working time at all;
- a date that is both a holiday and a make-up day, or a make-up day when Monday has no hours;
- a name that is not a lower-case slug, or (409) the name of a built-in calendar;
- a due preview of negative, non-finite or more than a year of minutes, a start outside
  1970-2199, pauses that end before they start, and a due too far away to be useful.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import available_timezones

from shared.businesstime import (
    CALENDAR_NAMES,
    WEEKDAYS,
    BusinessTimeError,
    Calendar,
    InvalidCalendar,
    InvalidMinutes,
    InvalidPause,
    NaiveDatetime,
    Pause,
    WorkingRange,
    add,
    between,
    parse_range,
    weekly,
)
from shared.errors import Conflict, NotFound

NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
NAME_MAX_LENGTH = 64
# A due preview is for a UI's "due by": a year of business minutes is already more than any
# promise in the contracts (the longest is IV-2's five working days).
MAX_PREVIEW_MINUTES = 365 * 24 * 60
# However few hours a week a calendar works, a preview stops this far from its start: the
# arithmetic walks the days in between, and a date past year 9999 has no representation.
PREVIEW_HORIZON = timedelta(days=10 * 366)
EARLIEST_START = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_START = datetime(2200, 1, 1, tzinfo=UTC)
MAKEUP_WEEKDAY = 0  # a make-up day works Monday's ranges (shared.businesstime's default)

NAME = re.compile(NAME_PATTERN)


class CalendarNotFound(NotFound):
    title = "No such calendar"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"no calendar is named {name!r}; built in: {', '.join(CALENDAR_NAMES)}", name=name
        )


class CalendarExists(Conflict):
    title = "Calendar exists"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"a calendar named {name!r} exists already: change it with PATCH", name=name
        )


class BuiltInCalendar(Conflict):
    title = "Built-in calendar"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"{name!r} is a built-in calendar: it can be read and used, not defined or changed; "
            "define one of your own under another name",
            name=name,
            built_in=list(CALENDAR_NAMES),
        )


class CalendarChanged(Conflict):
    title = "Calendar changed"

    def __init__(self, name: str, expected: int, current: int) -> None:
        super().__init__(
            f"calendar {name!r} is at version {current}, not {expected}: read it again and "
            "send your change against what it is now",
            name=name,
            expected_version=expected,
            current_version=current,
        )


class PreviewTooFar(InvalidMinutes):
    title = "Due too far away"


class StartOutOfRange(BusinessTimeError):
    title = "Start out of range"


@dataclass(frozen=True, slots=True)
class Definition:
    """A calendar as an admin defines it. `ranges` keeps the keys as written (spans stay
    spans), each range normalised to `HH:MM-HH:MM`; `week` is what they add up to."""

    timezone: str
    ranges: tuple[tuple[str, tuple[str, ...]], ...]
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    week: tuple[tuple[WorkingRange, ...], ...] = field(default=(), compare=False)

    def ranges_as_written(self) -> dict[str, list[str]]:
        return {key: list(texts) for key, texts in self.ranges}


@dataclass(frozen=True, slots=True)
class Amendment:
    """A PATCH: each field None when not sent. Whole lists replace first, then `remove_*`,
    then `add_*`; a date added and removed in one change is refused as ambiguous."""

    timezone: str | None = None
    ranges: Mapping[str, Sequence[object]] | None = None
    holidays: Iterable[date] | None = None
    workdays: Iterable[date] | None = None
    add_holidays: Iterable[date] = ()
    remove_holidays: Iterable[date] = ()
    add_workdays: Iterable[date] = ()
    remove_workdays: Iterable[date] = ()


@dataclass(frozen=True, slots=True)
class DuePreview:
    due: datetime
    business_minutes: float
    paused_minutes: float


# --- names ----------------------------------------------------------------------------------


def is_built_in(name: str) -> bool:
    return name.strip().lower() in CALENDAR_NAMES


def check_name(name: str) -> str:
    """A name a new calendar may take: a slug, and not a built-in's (compared ignoring case, so
    `24X7` cannot pass for the real one in a contract)."""
    if isinstance(name, str) and is_built_in(name):
        raise BuiltInCalendar(name.strip().lower())
    if not isinstance(name, str) or not NAME.match(name):
        raise InvalidCalendar(
            "name", f"{name!r} is not a name: 1-64 of a-z, 0-9, '.', '_', '-', starting alnum"
        )
    return name


# --- definitions ----------------------------------------------------------------------------


# Files some zone databases list beside the zones: the server's own setting and tzdata's
# placeholder, which mean something else on each machine or nothing at all.
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@cache
def zones() -> frozenset[str]:
    # Membership, not ZoneInfo(name): that opens whatever file a crafted relative name reaches.
    return frozenset(available_timezones()) - _NOT_ZONES


def check_timezone(name: object) -> str:
    if not isinstance(name, str) or name not in zones():
        raise InvalidCalendar("timezone", f"{name!r} is not an IANA time zone (e.g. Asia/Shanghai)")
    return name


def _weekdays(key: str) -> list[int]:
    first, _, last = key.partition("-")
    if first not in WEEKDAYS or (last and last not in WEEKDAYS):
        raise InvalidCalendar(
            f"ranges.{key}", f"not a weekday or a span of them ({', '.join(WEEKDAYS)}; mon-fri)"
        )
    a, b = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
    if b < a:
        raise InvalidCalendar(
            f"ranges.{key}", "a span runs forward within one week (mon-fri, sat-sun)"
        )
    return list(range(a, b + 1))


def _range_text(value: object, where: str) -> WorkingRange:
    """A range as `"08:30-17:30"` or as a pair `["08:30", "17:30"]`."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != 2 or not all(isinstance(v, str) for v in value):
            raise InvalidCalendar(where, f"{value!r} is not a pair [HH:MM, HH:MM]")
        value = f"{value[0]}-{value[1]}"
    if not isinstance(value, str):
        raise InvalidCalendar(where, f"{value!r} is not HH:MM-HH:MM")
    return parse_range(value, where=where)


def _parse_ranges(
    ranges: Mapping[str, Sequence[object]],
) -> tuple[tuple[tuple[str, tuple[str, ...]], ...], tuple[tuple[WorkingRange, ...], ...]]:
    if not isinstance(ranges, Mapping) or not ranges:
        raise InvalidCalendar("ranges", "a mapping of weekday or span to HH:MM-HH:MM ranges")
    written: list[tuple[str, tuple[str, ...]]] = []
    # weekday -> (range, where it was written), to name both sides of an overlap
    days: list[list[tuple[WorkingRange, str]]] = [[] for _ in WEEKDAYS]
    for raw_key, values in ranges.items():
        key = str(raw_key).strip().lower()
        if isinstance(values, str) or not isinstance(values, Sequence):
            raise InvalidCalendar(f"ranges.{key}", "a list of HH:MM-HH:MM ranges")
        if any(key == seen for seen, _ in written):
            raise InvalidCalendar(f"ranges.{key}", "given twice")
        parsed = [_range_text(v, f"ranges.{key}[{n}]") for n, v in enumerate(values)]
        for weekday in _weekdays(key):
            days[weekday].extend((r, f"ranges.{key}[{n}]") for n, r in enumerate(parsed))
        written.append((key, tuple(str(r) for r in sorted(parsed))))
    # Week order, not the order sent: JSONB keeps no key order, and a definition read back must
    # equal the one written.
    written.sort(key=lambda item: (_weekdays(item[0])[0], len(_weekdays(item[0]))))
    week: list[tuple[WorkingRange, ...]] = []
    for weekday, given in enumerate(days):
        merged: list[WorkingRange] = []
        previous_where = ""
        for hours, where in sorted(given):
            if merged and hours.start < merged[-1].end:
                raise InvalidCalendar(
                    where,
                    f"{hours} overlaps {merged[-1]} ({previous_where}) on {WEEKDAYS[weekday]}",
                )
            if merged and hours.start == merged[-1].end:  # 08:00-12:00 + 12:00-17:00: one range
                merged[-1] = WorkingRange(merged[-1].start, hours.end)
            else:
                merged.append(hours)
            previous_where = where
        week.append(tuple(merged))
    if not any(week):
        raise InvalidCalendar("ranges", "no weekday has working hours")
    return tuple(written), tuple(week)


def _date_set(values: Iterable[date], where: str) -> frozenset[date]:
    out = set()
    for n, value in enumerate(values):
        if not isinstance(value, date) or isinstance(value, datetime):
            raise InvalidCalendar(f"{where}[{n}]", f"{value!r} is not a date")
        out.add(value)
    return frozenset(out)


def _check_days(
    holidays: frozenset[date], workdays: frozenset[date], week: Sequence[Sequence[WorkingRange]]
) -> None:
    both = sorted(holidays & workdays)
    if both:
        raise InvalidCalendar(
            "workdays",
            f"{', '.join(d.isoformat() for d in both)} cannot be both a holiday and a make-up "
            "working day: take it out of one list",
        )
    if workdays and not week[MAKEUP_WEEKDAY]:
        raise InvalidCalendar(
            "workdays", "a make-up day works Monday's hours, and Monday has none in this week"
        )


def define(
    timezone: object,
    ranges: Mapping[str, Sequence[object]],
    holidays: Iterable[date] = (),
    workdays: Iterable[date] = (),
) -> Definition:
    """A checked definition, or the first thing wrong with it (its field named)."""
    zone = check_timezone(timezone)
    written, week = _parse_ranges(ranges)
    days_off = _date_set(holidays, "holidays")
    days_worked = _date_set(workdays, "workdays")
    _check_days(days_off, days_worked, week)
    return Definition(zone, written, days_off, days_worked, week)


def amend(current: Definition, change: Amendment) -> Definition:
    """The definition a PATCH leaves: only what was sent changes, and the whole is checked."""
    holidays = _amended(
        current.holidays, change.holidays, change.add_holidays, change.remove_holidays, "holidays"
    )
    workdays = _amended(
        current.workdays, change.workdays, change.add_workdays, change.remove_workdays, "workdays"
    )
    return define(
        current.timezone if change.timezone is None else change.timezone,
        current.ranges_as_written() if change.ranges is None else change.ranges,
        holidays,
        workdays,
    )


def _amended(
    current: frozenset[date],
    replaced: Iterable[date] | None,
    added: Iterable[date],
    removed: Iterable[date],
    name: str,
) -> frozenset[date]:
    plus, minus = _date_set(added, f"add_{name}"), _date_set(removed, f"remove_{name}")
    both = sorted(plus & minus)
    if both:
        raise InvalidCalendar(
            f"add_{name}",
            f"{', '.join(d.isoformat() for d in both)} both added and removed: say which",
        )
    base = current if replaced is None else _date_set(replaced, name)
    return (base - minus) | plus


def build(name: str, definition: Definition) -> Calendar:
    return weekly(
        definition.timezone,
        {WEEKDAYS[n]: [str(r) for r in day] for n, day in enumerate(definition.week)},
        name=name,
        holidays=definition.holidays,
        makeup_days=definition.workdays,
        makeup_weekday=WEEKDAYS[MAKEUP_WEEKDAY],
    )


def describe_week(week: Sequence[Sequence[WorkingRange]]) -> dict[str, list[str]]:
    """A week as few keys as it takes: equal neighbouring days share a span (`mon-fri`)."""
    out: dict[str, list[str]] = {}
    start = 0
    for end in range(1, len(week) + 1):
        if end == len(week) or list(week[end]) != list(week[start]):
            if week[start]:
                key = (
                    WEEKDAYS[start]
                    if end - 1 == start
                    else f"{WEEKDAYS[start]}-{WEEKDAYS[end - 1]}"
                )
                out[key] = [str(r) for r in week[start]]
            start = end
    return out


def expand_week(week: Sequence[Sequence[WorkingRange]]) -> dict[str, list[str]]:
    return {WEEKDAYS[n]: [str(r) for r in day] for n, day in enumerate(week)}


# --- due preview ----------------------------------------------------------------------------


def _check_preview(start: datetime, minutes: float, pauses: Sequence[Pause]) -> None:
    if not isinstance(start, datetime) or start.tzinfo is None or start.utcoffset() is None:
        raise NaiveDatetime(f"start needs a time zone: {start!r}", field="start")
    if not EARLIEST_START <= start < LATEST_START:
        raise StartOutOfRange(
            f"start {start.isoformat()} is outside {EARLIEST_START.year}-{LATEST_START.year - 1}",
            field="start",
        )
    if (
        isinstance(minutes, bool)
        or not isinstance(minutes, int | float)
        or not math.isfinite(minutes)
    ):
        raise InvalidMinutes(f"{minutes!r} is not a number of minutes", field="minutes")
    if minutes < 0:
        raise InvalidMinutes(
            f"{minutes} minutes: a due time is after its start, give 0 or more", field="minutes"
        )
    if minutes > MAX_PREVIEW_MINUTES:
        raise InvalidMinutes(
            f"{minutes} minutes is more than a year ({MAX_PREVIEW_MINUTES}); no promise is that "
            "long",
            field="minutes",
        )
    for n, (begin, end) in enumerate(pauses):
        where = f"pauses[{n}]"
        for instant in (begin, end):
            if not isinstance(instant, datetime) or instant.utcoffset() is None:
                raise InvalidPause(f"{where} needs times with a time zone", field=where)
        if end < begin:
            raise InvalidPause(
                f"{where} ends ({end.isoformat()}) before it starts ({begin.isoformat()})",
                field=where,
            )


def minutes_per_week(week: Sequence[Sequence[WorkingRange]]) -> int:
    return sum(r.end - r.start for day in week for r in day)


def preview(
    cal: Calendar, start: datetime, minutes: float, pauses: Sequence[Pause] = ()
) -> DuePreview:
    """When `minutes` business minutes from `start` fall due on `cal`, paused time not counted.

    Refused before any arithmetic when the week's hours could not reach it within the horizon:
    a calendar open an hour a week would walk two centuries of days for a year of minutes.
    Holidays lengthen the walk only by as many days as there are of them.
    """
    _check_preview(start, minutes, pauses)
    per_week = minutes_per_week(cal.week)
    if minutes / per_week * 7 > PREVIEW_HORIZON.days:
        raise PreviewTooFar(
            f"{minutes} business minutes on {cal.name!r} ({per_week} a week) fall due more than "
            f"{PREVIEW_HORIZON.days // 366} years after the start",
            field="minutes",
        )
    due = add(cal, start, minutes, pauses)
    counted = between(cal, start, due, pauses)
    return DuePreview(
        due=due, business_minutes=counted, paused_minutes=between(cal, start, due) - counted
    )
