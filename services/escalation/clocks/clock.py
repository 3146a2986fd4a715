"""An SLA clock: an append-only log of what happened to it, and its state as a pure fold of that
log on its calendar. Pure: no I/O, no wall-clock reads (`now` is given).

The same log always gives the same answer, whatever order its entries arrived in: a
reclassification, a policy change or an edited calendar is a replay, and paused time is never
lost.

Decisions, in one place:
- Entries are placed by their own time (`at`), ties by arrival (`seq`): a pause reported late
  still counts from when it began. An entry before the start counts as at the start (a phone's
  clock a minute behind must not leave the response clock running forever).
- Duplicates (the same fact again, whatever its `seq`) count once; impossible moves are ignored:
  a second start, a stop of a stopped clock, a reopen of a running one, a resume of a hold that
  is not held, a pause of a stopped clock.
- Pauses are holds, one per `reason` (`awaiting_customer`, `part_backordered:PN-1`): the clock
  stands still while any hold is on, and a resume ends only its own reason's hold. Overlapping
  holds from two sources are therefore counted once, and the clock runs again only when the
  last is lifted.
- A stop ends every hold (a resolved ticket awaits nothing); a reopen counts again from its own
  time, the stopped span not counted.
- A retarget (reclassification, a policy or calendar change) is the clock's target and calendar
  for its whole history, not from its time on: the latest retarget wins, field by field.
- While paused, the due time is the one the clock would reach if it ran again at the horizon
  (`now`): "due 16:40 if resumed now", moving on while the pause lasts. A paused clock fires no
  timer except for a threshold it crossed before it paused.
- Instants, not rounded minutes, decide: a running clock is breached from its due instant on
  (its used minutes have reached the target); a stop at the due instant at the latest meets it.
- The horizon is the stop when stopped, else `now`, else the latest entry (the state as far as
  the log knows). All instants come back in UTC.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from shared.businesstime import Calendar, Pause, add, between
from shared.errors import DomainError

BREACH = 1.0  # the threshold fraction of the due itself, in `sent` and `Threshold`
DEFAULT_WARNINGS: tuple[float, ...] = (0.5, 0.8)


class ClockError(DomainError):
    title = "SLA clock"


class InvalidEntry(ClockError):
    title = "Invalid clock entry"


class NotStarted(ClockError):
    title = "Clock not started"


class EntryKind(StrEnum):
    start = "start"
    pause = "pause"
    resume = "resume"
    stop = "stop"
    reopen = "reopen"
    retarget = "retarget"


# A total order for entries that share both `at` and `seq`, so no input order can matter.
_KIND_ORDER = {kind: n for n, kind in enumerate(EntryKind)}


@dataclass(frozen=True, slots=True)
class Entry:
    at: datetime  # when it happened, by the fact's own clock; aware
    seq: int  # arrival order in the log
    kind: EntryKind
    reason: str = ""  # for pause and resume, the hold it begins or ends
    source: str = ""  # what said so: an event type and id, a user
    target_minutes: int | None = None  # start (required) and retarget
    calendar: str | None = None  # start (required) and retarget

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", EntryKind(self.kind))
        except ValueError:
            raise InvalidEntry(f"{self.kind!r} is not a clock entry", field="kind") from None
        if not isinstance(self.at, datetime) or self.at.utcoffset() is None:
            raise InvalidEntry(f"at needs a time zone: {self.at!r}", field="at")
        if isinstance(self.seq, bool) or not isinstance(self.seq, int):
            raise InvalidEntry(f"seq is a whole number, not {self.seq!r}", field="seq")
        minutes = self.target_minutes
        if minutes is not None and (
            isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0
        ):
            raise InvalidEntry(f"target_minutes must be positive, not {minutes!r}", field="target")
        if self.calendar is not None and (not isinstance(self.calendar, str) or not self.calendar):
            raise InvalidEntry("calendar names a calendar", field="calendar")
        if self.kind is EntryKind.start and (minutes is None or self.calendar is None):
            raise InvalidEntry("a start names its target minutes and calendar", field="kind")
        if self.kind is EntryKind.retarget and minutes is None and self.calendar is None:
            raise InvalidEntry("a retarget changes the target, the calendar or both", field="kind")

    @property
    def instant(self) -> datetime:
        return self.at.astimezone(UTC)

    def _order(self) -> tuple[datetime, int, int, str, str, int, str]:
        return (self.instant, self.seq, *self._fact()[1:])

    def _fact(self) -> tuple[datetime, int, str, str, int, str]:
        """What the entry says, without when it arrived."""
        return (
            self.instant,
            _KIND_ORDER[self.kind],
            self.reason,
            self.source,
            self.target_minutes or 0,
            self.calendar or "",
        )


class ClockStatus(StrEnum):
    running = "running"
    paused = "paused"
    stopped = "stopped"


@dataclass(frozen=True, slots=True)
class Threshold:
    fraction: float  # of the target; BREACH (1.0) is the due
    at: datetime


@dataclass(frozen=True, slots=True)
class ClockState:
    calendar: str
    target_minutes: int
    started_at: datetime
    status: ClockStatus
    holds: frozenset[str]  # the reasons it stands still for now
    as_of: datetime  # the horizon: the stop, or `now`, or the latest entry
    used_minutes: float  # business minutes counted from the start to the horizon
    paused_minutes: float  # business minutes the holds and stops kept from counting
    due_at: datetime  # while paused: as if it ran again at the horizon
    stopped_at: datetime | None
    met_at: datetime | None  # the stop, when it came at the due at the latest
    breached: bool
    # The spans it did not count (holds and stopped spans, merged; an open hold ends at the
    # horizon): with `add(calendar, started_at, minutes, pauses)` they give any threshold.
    pauses: tuple[Pause, ...]
    thresholds: tuple[Threshold, ...]  # each warning's instant, then the due's (BREACH)
    pending: tuple[Threshold, ...]  # thresholds still to be announced, earliest first
    resolved: Calendar = field(repr=False, compare=False)

    @property
    def running(self) -> bool:
        return self.status is ClockStatus.running

    @property
    def paused(self) -> bool:
        return self.status is ClockStatus.paused

    @property
    def stopped(self) -> bool:
        return self.status is ClockStatus.stopped

    @property
    def remaining_minutes(self) -> float:
        return max(0.0, self.target_minutes - self.used_minutes)

    @property
    def next_fire_at(self) -> datetime | None:
        """When a timer must next look at this clock: the earliest pending threshold."""
        return self.pending[0].at if self.pending else None

    def warning_at(self, fraction: float) -> datetime:
        """The instant `fraction` of the target is used, on the pauses known so far."""
        if not 0 <= fraction <= BREACH:
            raise ClockError(f"a fraction of the target is between 0 and 1, not {fraction}")
        return add(self.resolved, self.started_at, self.target_minutes * fraction, self.pauses)

    def reached(self, now: datetime) -> tuple[Threshold, ...]:
        """The pending thresholds `now` has reached: what to announce, each once.

        Replayed at `now`, that is at most one: the highest passed (the others are moot).
        """
        return tuple(t for t in self.pending if t.at <= now)


def replay(
    entries: Iterable[Entry],
    calendars: Callable[[str], Calendar],
    now: datetime | None = None,
    warnings: Iterable[float] = DEFAULT_WARNINGS,
    *,
    sent: Collection[float] = (),
) -> ClockState:
    """The clock's state: its log folded on its calendar, counted up to `now`.

    `sent` are the fractions already announced (warnings, and BREACH once `sla.breached` went
    out): they leave `pending`. A warning passed but never announced is moot once a higher
    threshold has passed too, or once the clock is stopped; a stopped clock owes only its
    breach.
    """
    fractions = sorted(set(warnings))
    if any(not 0 < f < BREACH for f in fractions):
        raise ClockError(f"warnings are fractions between 0 and 1, not {fractions}")
    log = _ordered(entries)
    start = next((e for e in log if e.kind is EntryKind.start), None)
    if start is None:
        raise NotStarted("the clock's log has no start")
    # Entry refuses a start without a target and a calendar.
    target, name = start.target_minutes or 0, start.calendar or ""
    for entry in log:
        if entry.kind is EntryKind.retarget:
            target = entry.target_minutes or target
            name = entry.calendar or name
    cal = calendars(name)

    started = start.instant
    fold = _Fold(started)
    for entry in log:
        if entry is not start:
            fold.apply(entry)

    if fold.stopped_since is not None:
        horizon = fold.stopped_since
    else:
        horizon = max(started, now.astimezone(UTC) if now is not None else fold.last)
    pauses = list(fold.spans)
    if fold.paused_since is not None:
        pauses.append((fold.paused_since, max(fold.paused_since, horizon)))
    pauses = _merged(pauses)

    used = max(0.0, between(cal, started, horizon, pauses))
    elapsed = max(0.0, between(cal, started, horizon))
    due = add(cal, started, target, pauses)
    thresholds = tuple(Threshold(f, add(cal, started, target * f, pauses)) for f in fractions) + (
        Threshold(BREACH, due),
    )

    if fold.stopped_since is not None:
        status = ClockStatus.stopped
        breached = fold.stopped_since > due
        eligible = [thresholds[-1]] if breached else []
    else:
        status = ClockStatus.paused if fold.holds else ClockStatus.running
        breached = horizon >= due
        # A paused clock reaches nothing new; what it crossed before it paused is still owed.
        eligible = [t for t in thresholds if status is ClockStatus.running or t.at <= horizon]
    # Of the thresholds already passed only the highest is news: a clock reclassified into
    # breach, or a timer back after an outage, announces the breach, not 50 % and 80 % with it.
    passed = max((t.fraction for t in eligible if t.at <= horizon), default=0.0)
    pending = tuple(
        t
        for t in eligible
        if t.fraction >= passed and not any(math.isclose(t.fraction, s) for s in sent)
    )
    stopped_at = fold.stopped_since
    return ClockState(
        calendar=name,
        target_minutes=target,
        started_at=started,
        status=status,
        holds=frozenset(fold.holds),
        as_of=horizon,
        used_minutes=used,
        paused_minutes=max(0.0, elapsed - used),
        due_at=due,
        stopped_at=stopped_at,
        met_at=stopped_at if stopped_at is not None and not breached else None,
        breached=breached,
        pauses=tuple(pauses),
        thresholds=thresholds,
        pending=pending,
        resolved=cal,
    )


class _Fold:
    """The walk through the log in time order: which spans the clock stood still."""

    def __init__(self, started: datetime) -> None:
        self.started = started
        self.last = started
        self.holds: set[str] = set()
        self.paused_since: datetime | None = None
        self.stopped_since: datetime | None = None
        self.spans: list[Pause] = []

    def apply(self, entry: Entry) -> None:
        at = max(entry.instant, self.started)
        self.last = max(self.last, at)
        kind, stopped = entry.kind, self.stopped_since is not None
        if kind is EntryKind.pause and not stopped and entry.reason not in self.holds:
            if not self.holds:
                self.paused_since = at
            self.holds.add(entry.reason)
        elif kind is EntryKind.resume and entry.reason in self.holds:
            self.holds.remove(entry.reason)
            if not self.holds:
                self._end_pause(at)
        elif kind is EntryKind.stop and not stopped:
            if self.holds:
                self.holds.clear()
                self._end_pause(at)
            self.stopped_since = at
        elif kind is EntryKind.reopen and self.stopped_since is not None:
            self.spans.append((self.stopped_since, at))
            self.stopped_since = None
        # Anything else is impossible from here, a second start, or a retarget (applied to the
        # whole history before the walk): it moves nothing.

    def _end_pause(self, at: datetime) -> None:
        if self.paused_since is not None:  # always, while a hold was on
            self.spans.append((self.paused_since, at))
        self.paused_since = None


def _ordered(entries: Iterable[Entry]) -> list[Entry]:
    """Time order, each fact once (the earliest arrival of a fact told twice)."""
    seen: set[tuple[datetime, int, str, str, int, str]] = set()
    log = []
    for entry in sorted(entries, key=Entry._order):
        fact = entry._fact()
        if fact not in seen:
            seen.add(fact)
            log.append(entry)
    return log


def _merged(spans: list[Pause]) -> list[Pause]:
    merged: list[Pause] = []
    for s, e in sorted(spans):
        if e <= s:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged
