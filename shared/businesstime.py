"""Business time: which instants count on a calendar, and arithmetic in business minutes (ES-7).

A calendar is an IANA time zone, working ranges per weekday (several a day: split shifts, lunch
breaks; a range may end at 24:00), holidays, and make-up working days (China moves weekend days
to working days around its holidays). Escalation's SLA clocks, dispatch's shifts and inventory's
working-day terms all count on it. Pure: no I/O of ours, no wall-clock reads.

Decisions, in one place:
- Ranges are half open, `[start, end)` in local wall time: 17:30 is closed on an 08:30-17:30 day,
  and an addition that uses the day's last minute ends *at* 17:30, not at the next opening.
- A holiday is a day off whatever its weekday; a make-up day works the ranges of
  `Calendar.makeup_weekday` (Monday unless said otherwise: the weekday ranges of a 5x8 week).
  A date that is both is a day off.
- Wall time to instants (DST): a range covers the real time from the first moment the local clock
  shows its start to the last moment before it shows its end. So an ambiguous start (the repeated
  autumn hour) is its first occurrence and an ambiguous end its second; a boundary inside a
  spring-forward gap is the transition instant itself (02:30 in Berlin's gap is 03:00 CEST), so a
  range contributes only time that exists. A day is as long as it really is (23 or 25 hours).
- Minutes are elapsed real minutes inside working time, exact to the microsecond. `add` returns the
  earliest instant at which that many business minutes have passed; `add(start, 0)` is `start`;
  negative minutes are refused. `between(a, b)` is antisymmetric: negative when b is before a.
- Results are in the time zone of the datetime given (its own tzinfo); naive datetimes are refused.

Errors, all `DomainError`s (the HTTP edge answers 422):

    BusinessTimeError
    ├── UnknownCalendar   no built-in calendar has that name
    ├── InvalidCalendar   a definition that cannot be a calendar (the field is named)
    ├── NaiveDatetime     a datetime without a time zone
    ├── InvalidPause      a pause that ends before it starts, or is naive
    ├── InvalidMinutes    add() was asked to go backwards, or by a number that is not one
    └── NoWorkingTime     more than a year without a working minute: the calendar never opens
"""

from __future__ import annotations

import calendar as months
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from holidays import country_holidays

from shared.errors import DomainError

MINUTES_PER_DAY = 24 * 60
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_US_PER_MINUTE = 60_000_000
# A search that finds no working minute for this many days in a row stops instead of looping.
_IDLE_DAYS_LIMIT = 400
# Per-calendar memo of day intervals: enough for decades of dates, bounded all the same.
_DAY_MEMO_LIMIT = 50_000


class BusinessTimeError(DomainError):
    title = "Business time"


class UnknownCalendar(BusinessTimeError):
    title = "Unknown calendar"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"no calendar is named {name!r}; known: {', '.join(CALENDAR_NAMES)}",
            name=name,
            known=list(CALENDAR_NAMES),
        )
        self.name = name


class InvalidCalendar(BusinessTimeError):
    title = "Invalid calendar"

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}", field=where)
        self.where = where


class NaiveDatetime(BusinessTimeError, ValueError):
    title = "Datetime without a time zone"


class InvalidPause(BusinessTimeError, ValueError):
    title = "Invalid pause"


class InvalidMinutes(BusinessTimeError, ValueError):
    title = "Invalid business minutes"


class NoWorkingTime(BusinessTimeError):
    title = "No working time"


class WorkingRange(NamedTuple):
    """Minutes after local midnight, `[start, end)`; `end` may be 1440 (24:00)."""

    start: int
    end: int

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


class HolidayYear(NamedTuple):
    """One year of a published holiday schedule: the days off and the weekend days worked."""

    holidays: frozenset[date]
    makeup_days: frozenset[date]


Day = tuple[WorkingRange, ...]
Pause = tuple[datetime, datetime]
_Interval = tuple[int, int]  # microseconds since the epoch, [start, end)


@dataclass(frozen=True)
class Calendar:
    name: str
    timezone: ZoneInfo
    week: tuple[Day, ...]  # seven days, Monday first
    holidays: frozenset[date] = frozenset()
    makeup_days: frozenset[date] = frozenset()
    makeup_weekday: int = 0
    # A maintained data package's schedule, asked one year at a time (and cached by the source).
    published: Callable[[int], HolidayYear] | None = None
    # Day intervals in microseconds by date ordinal: a memo, not state; equal calendars share
    # nothing and nothing observable depends on it.
    _days: dict[int, tuple[_Interval, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise InvalidCalendar("week", f"needs 7 days, Monday first, not {len(self.week)}")
        for weekday, ranges in enumerate(self.week):
            where = f"ranges.{WEEKDAYS[weekday]}"
            previous_end = -1
            for n, hours in enumerate(ranges):
                if not 0 <= hours.start < hours.end <= MINUTES_PER_DAY:
                    raise InvalidCalendar(f"{where}[{n}]", f"{hours} is not a range within one day")
                if hours.start <= previous_end:
                    raise InvalidCalendar(
                        f"{where}[{n}]", f"{hours} overlaps, touches or precedes the range before"
                    )
                previous_end = hours.end
        if not any(self.week):
            raise InvalidCalendar("ranges", "no weekday has working hours")
        if not 0 <= self.makeup_weekday < 7:
            raise InvalidCalendar("makeup_weekday", f"{self.makeup_weekday} is not a weekday (0-6)")

    def ranges_on(self, day: date) -> Day:
        """The working ranges of a local date, holidays and make-up days applied."""
        year = self.published(day.year) if self.published is not None else None
        if day in self.holidays or (year is not None and day in year.holidays):
            return ()
        if day in self.makeup_days or (year is not None and day in year.makeup_days):
            return self.week[self.makeup_weekday]
        return self.week[day.weekday()]

    def _intervals_on(self, ordinal: int) -> tuple[_Interval, ...]:
        known = self._days.get(ordinal)
        if known is None:
            if len(self._days) >= _DAY_MEMO_LIMIT:
                self._days.clear()
            known = self._days[ordinal] = _day_intervals(self, date.fromordinal(ordinal))
        return known


# --- building calendars ---------------------------------------------------------------------

_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_range(text: str, *, where: str = "range") -> WorkingRange:
    """`"08:30-12:00"`; the end may be `24:00`."""
    match = _HHMM.match(text) if isinstance(text, str) else None
    if match is None:
        raise InvalidCalendar(where, f"{text!r} is not HH:MM-HH:MM")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if m1 > 59 or m2 > 59 or h1 > 23 or h2 > 24 or (h2 == 24 and m2 != 0):
        raise InvalidCalendar(where, f"{text!r} is not a time of day (00:00 to 24:00)")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end <= start:
        raise InvalidCalendar(where, f"{text!r} ends before it starts (a night is two ranges)")
    return WorkingRange(start, end)


def _weekdays(key: str) -> list[int]:
    """`"mon"` or a span `"mon-fri"`."""
    first, _, last = key.strip().lower().partition("-")
    if first not in WEEKDAYS or (last and last not in WEEKDAYS):
        raise InvalidCalendar(f"ranges.{key}", f"not a weekday or a span ({', '.join(WEEKDAYS)})")
    a, b = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
    if b < a:
        raise InvalidCalendar(f"ranges.{key}", "a span runs forward in one week (mon-fri, sat-sun)")
    return list(range(a, b + 1))


def zone(name: str, *, where: str = "timezone") -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise InvalidCalendar(where, "an IANA time zone name is required, e.g. Asia/Shanghai")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidCalendar(where, f"{name!r} is not an IANA time zone") from None


def weekly(
    timezone: str,
    ranges: Mapping[str, Sequence[str]],
    *,
    name: str = "weekly",
    holidays: Iterable[date] = (),
    makeup_days: Iterable[date] = (),
    makeup_weekday: str = "mon",
) -> Calendar:
    """A calendar from a weekly definition, as dispatch stores an engineer's shifts.

    `ranges` maps a weekday (`"mon"`) or a span (`"mon-fri"`) to its ranges
    (`["08:30-12:00", "13:00-17:30"]`); a weekday given twice is an error, one not given is off.
    """
    tz = zone(timezone)
    week: list[list[WorkingRange] | None] = [None] * 7
    if not isinstance(ranges, Mapping):
        raise InvalidCalendar("ranges", "a mapping of weekday to a list of HH:MM-HH:MM ranges")
    for key, texts in ranges.items():
        if isinstance(texts, str) or not isinstance(texts, Sequence):
            raise InvalidCalendar(f"ranges.{key}", "a list of HH:MM-HH:MM ranges")
        given = [parse_range(t, where=f"ranges.{key}[{n}]") for n, t in enumerate(texts)]
        parsed: list[WorkingRange] = []
        for hours in sorted(given):
            if parsed and hours.start == parsed[-1].end:  # 08:00-12:00 and 12:00-17:00 is one range
                parsed[-1] = WorkingRange(parsed[-1].start, hours.end)
            else:
                parsed.append(hours)
        for weekday in _weekdays(str(key)):
            if week[weekday] is not None:
                raise InvalidCalendar(f"ranges.{key}", f"{WEEKDAYS[weekday]} is given twice")
            week[weekday] = parsed
    days = tuple(tuple(day or ()) for day in week)
    makeup = makeup_weekday.strip().lower() if isinstance(makeup_weekday, str) else ""
    if makeup not in WEEKDAYS:
        raise InvalidCalendar(
            "makeup_weekday", f"{makeup_weekday!r} is not one of {', '.join(WEEKDAYS)}"
        )
    return Calendar(
        name=name,
        timezone=tz,
        week=days,
        holidays=frozenset(_dates(holidays, "holidays")),
        makeup_days=frozenset(_dates(makeup_days, "makeup_days")),
        makeup_weekday=WEEKDAYS.index(makeup),
    )


def from_definition(definition: Mapping[str, object], *, name: str = "inline") -> Calendar:
    """A calendar from JSON, as an admin API receives it.

    `{"timezone": "Asia/Shanghai", "ranges": {"mon-fri": ["08:30-17:30"]}}`, optionally with
    `"holidays"` and `"makeup_days"` (ISO dates) and `"makeup_weekday"`.
    """
    if not isinstance(definition, Mapping):
        raise InvalidCalendar("calendar", "an object with timezone and ranges")
    unknown = set(definition) - {"timezone", "ranges", "holidays", "makeup_days", "makeup_weekday"}
    if unknown:
        raise InvalidCalendar(min(unknown), "not a calendar field")
    ranges = definition.get("ranges")
    if not isinstance(ranges, Mapping):
        raise InvalidCalendar("ranges", "a mapping of weekday to a list of HH:MM-HH:MM ranges")
    return weekly(
        str(definition.get("timezone") or ""),
        ranges,
        name=name,
        holidays=_iso_dates(definition.get("holidays", []), "holidays"),
        makeup_days=_iso_dates(definition.get("makeup_days", []), "makeup_days"),
        makeup_weekday=str(definition.get("makeup_weekday", "mon")),
    )


def _dates(values: Iterable[date], where: str) -> Iterator[date]:
    for n, value in enumerate(values):
        if not isinstance(value, date) or isinstance(value, datetime):
            raise InvalidCalendar(f"{where}[{n}]", f"{value!r} is not a date")
        yield value


def _iso_dates(values: object, where: str) -> list[date]:
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise InvalidCalendar(where, "a list of ISO dates (YYYY-MM-DD)")
    out = []
    for n, value in enumerate(values):
        parsed = None
        if isinstance(value, str):
            with suppress(ValueError):
                parsed = date.fromisoformat(value)
        if parsed is None:
            raise InvalidCalendar(f"{where}[{n}]", f"{value!r} is not an ISO date")
        out.append(parsed)
    return out


# --- built-in calendars ---------------------------------------------------------------------

ALL_DAY: Day = (WorkingRange(0, MINUTES_PER_DAY),)
CN_OFFICE_HOURS: Day = (WorkingRange(8 * 60 + 30, 17 * 60 + 30),)


@lru_cache(maxsize=64)  # years; each costs ~0.1 s to build
def china_holiday_year(year: int) -> HolidayYear:
    """China's days off and make-up working days for a year, from the `holidays` package.

    The package records each State Council notice's moved days: the weekday given off is a
    holiday, the weekend day worked instead is in `weekend_workdays`. A notice for next year may
    move a day of this one (late December), hence the two years asked. Years after the last notice
    the package has are its estimate (statutory days, weekend days observed on the next workday,
    no make-up days) until a release carries the notice.
    """
    schedule = country_holidays("CN", years=(year, year + 1))
    return HolidayYear(
        holidays=frozenset(d for d in schedule if d.year == year),
        makeup_days=frozenset(d for d in schedule.weekend_workdays if d.year == year),
    )


def _around_the_clock() -> Calendar:
    return Calendar(name="24x7", timezone=ZoneInfo("UTC"), week=(ALL_DAY,) * 7)


def _china_5x8() -> Calendar:
    off: Day = ()
    return Calendar(
        name="cn-5x8",
        timezone=ZoneInfo("Asia/Shanghai"),
        week=(CN_OFFICE_HOURS,) * 5 + (off, off),
        published=china_holiday_year,
    )


_BUILT_IN: Mapping[str, Callable[[], Calendar]] = {"24x7": _around_the_clock, "cn-5x8": _china_5x8}
CALENDAR_NAMES: tuple[str, ...] = tuple(_BUILT_IN)


@cache
def calendar(name: str) -> Calendar:
    """A built-in calendar by name; the same object each time, so its memo of days is shared."""
    build = _BUILT_IN.get(name)
    if build is None:
        raise UnknownCalendar(name)
    return build()


# --- arithmetic -----------------------------------------------------------------------------


def is_working(cal: Calendar, at: datetime) -> bool:
    t = _micros(at, "at")
    ordinal = at.astimezone(cal.timezone).toordinal()
    # The day before too: in a zone whose clocks go back at midnight, a 24:00 end is later than
    # the next day's 00:00 start.
    return any(s <= t < e for o in (ordinal - 1, ordinal) for s, e in cal._intervals_on(o))


def next_opening(cal: Calendar, at: datetime) -> datetime:
    """`at` itself when it is working time, else the start of the next working range."""
    opening, _ = next(_intervals_from(cal, _micros(at, "at"), at))
    return _instant(opening, at)


def add(
    cal: Calendar, start: datetime, minutes: float | timedelta, pauses: Iterable[Pause] = ()
) -> datetime:
    """The earliest instant at which `minutes` business minutes have run since `start`.

    Paused time does not run. A deadline that uses up a day's last minute is that day's closing.
    """
    t = _micros(start, "start")
    need = _duration_micros(minutes)
    if need == 0:
        return start
    pieces = _unpaused(_intervals_from(cal, t, start), _merged(pauses))
    while True:  # the intervals never run out: a calendar that never opens raises NoWorkingTime
        s, e = next(pieces)
        if need <= e - s:
            return _instant(s + need, start)
        need -= e - s


def between(cal: Calendar, a: datetime, b: datetime, pauses: Iterable[Pause] = ()) -> float:
    """Business minutes from `a` to `b`, pauses excluded; negative when `b` is before `a`."""
    ta, tb = _micros(a, "a"), _micros(b, "b")
    if tb < ta:
        return -between(cal, b, a, pauses)
    total = 0
    if tb > ta:
        for s, e in _unpaused(_intervals_from(cal, ta, a), _merged(pauses)):
            if s >= tb:
                break
            total += min(e, tb) - s
            if e >= tb:
                break
    return total / _US_PER_MINUTE


def add_months(day: date, count: int) -> date:
    """The same day `count` calendar months on (back, when negative), or that month's last day
    when it has fewer (31 August + 6 is 28 February): IV-5's "6 months ahead" both ways."""
    year, month = divmod(day.year * 12 + (day.month - 1) + count, 12)
    month += 1
    return date(year, month, min(day.day, months.monthrange(year, month)[1]))


# --- internals ------------------------------------------------------------------------------


def _micros(at: datetime, where: str) -> int:
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise NaiveDatetime(f"{where} needs a time zone: {at!r}", field=where)
    return (at - _EPOCH) // _MICROSECOND


def _instant(micros: int, like: datetime) -> datetime:
    return (_EPOCH + timedelta(microseconds=micros)).astimezone(like.tzinfo)


def _duration_micros(minutes: float | timedelta) -> int:
    if isinstance(minutes, timedelta):
        micros = minutes // _MICROSECOND
    elif math.isfinite(minutes):
        micros = round(minutes * _US_PER_MINUTE)
    else:
        raise InvalidMinutes(f"{minutes} is not a number of minutes")
    if micros < 0:
        raise InvalidMinutes(f"cannot add {minutes} business minutes; start from the earlier one")
    return micros


def _intervals_from(cal: Calendar, t: int, at: datetime) -> Iterator[_Interval]:
    """Working intervals after `t`, in order, disjoint, the first one clipped to start at `t`."""
    ordinal = at.astimezone(cal.timezone).toordinal() - 1
    covered = t
    idle = 0
    while True:
        day = cal._intervals_on(ordinal)
        idle = 0 if day else idle + 1
        if idle > _IDLE_DAYS_LIMIT:
            first = date.fromordinal(ordinal - idle + 1)
            raise NoWorkingTime(
                f"calendar {cal.name!r} has no working time for {_IDLE_DAYS_LIMIT} "
                f"days from {first}",
                calendar=cal.name,
            )
        for s, e in day:
            if e > covered:
                yield max(s, covered), e
                covered = e
        ordinal += 1


def _merged(pauses: Iterable[Pause]) -> list[_Interval]:
    spans = []
    for n, pause in enumerate(pauses):
        try:
            begin, end = pause
            s, e = _micros(begin, f"pauses[{n}]"), _micros(end, f"pauses[{n}]")
        except (NaiveDatetime, TypeError, ValueError) as bad:
            raise InvalidPause(
                f"pauses[{n}] is not a (from, to) pair of aware datetimes: {bad}",
                field=f"pauses[{n}]",
            ) from None
        if e < s:
            raise InvalidPause(f"pauses[{n}] ends before it starts", field=f"pauses[{n}]")
        if e > s:
            spans.append((s, e))
    spans.sort()
    merged: list[_Interval] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _unpaused(intervals: Iterator[_Interval], pauses: list[_Interval]) -> Iterator[_Interval]:
    if not pauses:
        yield from intervals
        return
    i = 0
    for s, e in intervals:
        while i < len(pauses) and pauses[i][1] <= s:
            i += 1
        j, cursor = i, s
        while j < len(pauses) and pauses[j][0] < e:
            if pauses[j][0] > cursor:
                yield cursor, pauses[j][0]
            cursor = pauses[j][1]  # merged: each pause ends after the one before
            j += 1
        if cursor < e:
            yield cursor, e


def _day_intervals(cal: Calendar, day: date) -> tuple[_Interval, ...]:
    out: list[_Interval] = []
    for hours in cal.ranges_on(day):
        s = _wall_micros(cal.timezone, day, hours.start, fold=0)
        e = _wall_micros(cal.timezone, day, hours.end, fold=1)
        # An ambiguous end (second occurrence) may pass the next range's start (first occurrence):
        # _intervals_from clips such overlaps, as it clips a day's 24:00 against the next 00:00.
        if e > s:
            out.append((s, e))
    return tuple(out)


def _wall_micros(tz: ZoneInfo, day: date, minute: int, *, fold: int) -> int:
    """The instant of a local wall time; see the module's note on DST for the folds and gaps."""
    wall = datetime(day.year, day.month, day.day) + timedelta(minutes=minute)
    before, after = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    offset_before, offset_after = before.utcoffset(), after.utcoffset()
    assert offset_before is not None and offset_after is not None  # a ZoneInfo always has one
    if offset_before >= offset_after:  # exists once, or twice (ambiguous: `fold` picks which)
        return ((before if fold == 0 else after) - _EPOCH) // _MICROSECOND
    # In a gap (clocks jumped forward): PEP 495 reads fold=0 with the earlier offset, which lands
    # after the jump, and fold=1 with the later one, which lands before it. The range boundary is
    # the jump itself: bisect between the two on whole seconds, as transitions are.
    low = (after - _EPOCH) // timedelta(seconds=1)
    high = (before - _EPOCH) // timedelta(seconds=1)
    while high - low > 1:
        middle = (low + high) // 2
        if (_EPOCH + timedelta(seconds=middle)).astimezone(tz).utcoffset() == offset_after:
            high = middle
        else:
            low = middle
    return high * 1_000_000
