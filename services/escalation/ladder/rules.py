"""The escalation ladder (ES-3, ES-4, ES-5): who must act on a ticket, and when it climbs. Pure.

```
level 0  with the engineers: nobody above them has been told
level 1  support team lead          ES-5: follows every event, asks for higher support
level 2  department technical lead
level 3  project manager
level 4  project director           the top: the ladder never climbs past it
```

Each level is held by the contract's ladder contacts for it (several may share a level), or by
the role alone where the contract names nobody. A ticket is handled in steps, each with a limit
on the contract's calendar (ES-3, "generally one day"; the caller's policy gives the minutes):

```
assigned ──assigned_to_accepted──▶ accepted ──accepted_to_on_site──▶ on_site ──on_site_to_resolved──▶ resolved
```

Decisions, in one place:
- A step not done within its limit, or an SLA clock's breach, raises the ticket one level and
  starts the new level's limit on the same step, from the instant the old one ran out. So the
  ladder climbs 0 → 1 → 2 → 3 → 4 one limit apart when nobody acts, and stops at 4.
- The ladder climbs by business time, not by when a timer fires: `catch_up` makes every raise
  that fell due up to an instant, each at the moment its limit ran out. A late timer or a restart
  raises the same levels at the same times, and `apply` catches up to a fact's own time before
  applying it, so a step done before its limit stops the climb even when the news comes later.
  A raise already made stands: it was reported, and the report cannot be taken back.
- A step done keeps the level. ES-3 reports the situation "level by level": the managers who were
  told stay in charge until the ticket is resolved; only the next step's limit starts afresh. A
  ticket that ran late once climbs from where it is if it runs late again.
- `assignment.unassigned` raises a ticket below level 1 to level 1 at once: nobody could be
  dispatched, and the team lead assigns by hand (DS-1).
- An acknowledgement, by one of the level's contacts (e-mail, case-insensitive) or an admin, holds
  the ladder for one limit of the running step: neither a step limit nor a breach raises it before
  `add(calendar, at, limit)`. Once per level. When the hold ends the ladder raises at whichever is
  later, the level's limit or the hold's end.
- A breach while held, or at the top, is noted in the history and raises nothing; each clock's
  breach counts once (a clock recomputed and breached again does not climb twice).
- A resolved ticket's ladder rests (a reopen starts the last step again, level kept); a cancelled
  or closed one rests for good. Facts that arrive late are placed by their own time; one that the
  ticket has already gone past changes nothing.

Errors (`Terms` refuses bad limits; the rest are `acknowledge`'s refusals):

    DomainError
    ├── InvalidLevel          422  a level that is not on the ladder (1-4)
    └── InvalidStepLimits     422  terms without a positive limit for every step
    Forbidden
    └── NotLevelContact       403  neither one of that level's contacts nor an admin
    Conflict
    ├── LevelNotReached       409  the ticket has not climbed that high (yet)
    ├── LevelPassed           409  the ticket has climbed past it: the higher level acknowledges
    ├── AlreadyAcknowledged   409  once per level
    └── LadderAtRest          409  the ticket is resolved, cancelled or closed: nothing to hold

`LevelNotReached` is a 409, not a 422: the request is well formed and names a real level, and it
becomes right if the ticket climbs; it is the ticket's state that refuses it now, which is what
a conflict means here (an illegal move names the current status).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal
from uuid import UUID

from shared.businesstime import Calendar, add
from shared.errors import Conflict, DomainError, Forbidden
from shared.events.escalation import EscalationAcknowledged, EscalationRaised, LadderEvent
from shared.events.intake import LadderContact

TOP = 4
# ES-4: each level answers with the attention and resources of its own rank.
ROLES: Mapping[int, str] = MappingProxyType(
    {
        1: "support team lead",
        2: "department technical lead",
        3: "project manager",
        4: "project director",
    }
)

Reason = Literal["breach", "step_limit", "unassigned"]


class Step(StrEnum):
    assigned_to_accepted = "assigned_to_accepted"
    accepted_to_on_site = "accepted_to_on_site"
    on_site_to_resolved = "on_site_to_resolved"


class Milestone(StrEnum):
    """Where the handling has got to, in the order it gets there."""

    assigned = "assigned"
    accepted = "accepted"
    on_site = "on_site"
    resolved = "resolved"


MILESTONES = tuple(Milestone)
# The step each milestone starts; reaching a later milestone completes the step running.
STARTS: Mapping[Milestone, Step] = MappingProxyType(
    {
        Milestone.assigned: Step.assigned_to_accepted,
        Milestone.accepted: Step.accepted_to_on_site,
        Milestone.on_site: Step.on_site_to_resolved,
    }
)


class EntryKind(StrEnum):
    step_started = "step_started"
    step_done = "step_done"
    raised = "raised"
    acknowledged = "acknowledged"
    # A breach that raised nothing: held, at the top, at rest, or already climbed past.
    breach_noted = "breach_noted"
    reopened = "reopened"
    stopped = "stopped"


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the ladder's history, as `GET /v1/tickets/{id}/sla` shows it."""

    kind: EntryKind
    at: datetime
    level: int  # the level after the entry
    step: Step | None = None
    reason: Reason | None = None
    by: str | None = None
    until: datetime | None = None  # a started step's limit, a hold's end
    clock_id: UUID | None = None


# --- errors ---------------------------------------------------------------------------------


class InvalidLevel(DomainError):
    title = "Not a level of the ladder"

    def __init__(self, level: int) -> None:
        super().__init__(
            f"level {level} is not on the escalation ladder (1 to {TOP})", level=level, top=TOP
        )


class InvalidStepLimits(DomainError):
    title = "Invalid step limits"


class NotLevelContact(Forbidden):
    title = "Not the level's contact"

    def __init__(self, level: int, by: str) -> None:
        super().__init__(
            f"{by!r} is not a contact of level {level} ({ROLES[level]}) on this contract; "
            "that level's contact or an admin acknowledges",
            level=level,
            role=ROLES[level],
        )


class LevelNotReached(Conflict):
    title = "Level not reached"

    def __init__(self, level: int, current_level: int) -> None:
        super().__init__(
            f"the ticket is at level {current_level}; level {level} has not been reached",
            level=level,
            current_level=current_level,
        )


class LevelPassed(Conflict):
    title = "Level passed"

    def __init__(self, level: int, current_level: int) -> None:
        super().__init__(
            f"the ticket has climbed to level {current_level} ({ROLES[current_level]}); "
            f"level {level} can no longer hold it",
            level=level,
            current_level=current_level,
        )


class AlreadyAcknowledged(Conflict):
    title = "Already acknowledged"

    def __init__(self, level: int, by: str | None, at: datetime | None) -> None:
        when = "" if at is None else f" at {at.isoformat()}"
        super().__init__(
            f"level {level} was already acknowledged{when} by {by}; once per level",
            level=level,
            acknowledged_by=by,
            acknowledged_at=None if at is None else at.isoformat(),
        )


class LadderAtRest(Conflict):
    title = "Ladder at rest"

    def __init__(self, why: str) -> None:
        super().__init__(f"the ticket is {why}: there is no escalation to hold", why=why)


# --- terms: what the contract and its policy say --------------------------------------------


@dataclass(frozen=True, slots=True)
class Terms:
    """The contract's calendar, the policy's step limits and the contract's ladder contacts."""

    calendar: Calendar
    limits: Mapping[Step, timedelta]
    contacts: tuple[LadderContact, ...] = ()

    def __post_init__(self) -> None:
        for step in Step:
            limit = self.limits.get(step)
            if limit is None or limit <= timedelta(0):
                raise InvalidStepLimits(
                    f"step {step} needs a positive limit, not {limit}", step=step.value
                )

    def limit(self, step: Step | None) -> timedelta:
        # Nothing running yet (raised before anyone was assigned): the first step is next.
        return self.limits[step or Step.assigned_to_accepted]

    def due(self, step: Step | None, at: datetime) -> datetime:
        return add(self.calendar, at, self.limit(step))

    def contacts_at(self, level: int) -> tuple[LadderContact, ...]:
        return tuple(c for c in self.contacts if c.level == level)

    def who_acts(self, level: int) -> dict[str, Any]:
        """The level's first contact as `escalation.raised` names it; the role alone if none."""
        first = next(iter(self.contacts_at(level)), None)
        return {
            "level": level,
            "role": ROLES[level],
            "name": None if first is None else first.name,
            "email": None if first is None else first.email,
            "phone": None if first is None else first.phone,
        }

    def is_contact(self, level: int, who: str) -> bool:
        wanted = _email_key(who)
        return bool(wanted) and any(
            c.email is not None and _email_key(c.email) == wanted for c in self.contacts_at(level)
        )


def _email_key(email: str) -> str:
    return email.strip().casefold()


# --- the ladder -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ladder:
    ticket_id: UUID
    level: int = 0
    milestone: Milestone | None = None  # how far the handling has got
    milestone_at: datetime | None = None
    step: Step | None = None  # the step running, None when none is
    step_started_at: datetime | None = None
    step_due_at: datetime | None = None  # when the running level's limit for the step runs out
    held_until: datetime | None = None  # an acknowledgement's hold, at this level
    acked_levels: frozenset[int] = frozenset()
    breached_clocks: frozenset[UUID] = frozenset()
    stopped_at: datetime | None = None  # cancelled or closed: for good
    history: tuple[Entry, ...] = ()

    @property
    def at_rest(self) -> bool:
        return self.stopped_at is not None or self.milestone is Milestone.resolved

    @property
    def last_raised_at(self) -> datetime | None:
        return max((e.at for e in self.history if e.kind is EntryKind.raised), default=None)

    @property
    def deadline(self) -> datetime | None:
        """When the ladder climbs next unless someone acts: the level's limit or the hold's end."""
        if self.at_rest or self.step is None or self.step_due_at is None or self.level >= TOP:
            return None
        if self.held_until is not None and self.held_until > self.step_due_at:
            return self.held_until
        return self.step_due_at

    def held_at(self, at: datetime) -> bool:
        return self.held_until is not None and at < self.held_until

    def _log(self, entry: Entry, **changes: Any) -> Ladder:
        return replace(self, **changes, history=(*self.history, entry))


@dataclass(frozen=True, slots=True)
class Raise:
    """A climb that is due: to which level, why, and at which instant it fell due."""

    to_level: int
    reason: Reason
    at: datetime
    step: Step | None
    clock_id: UUID | None = None


def next_fire_at(ladder: Ladder) -> datetime | None:
    """When a timer must look at the ladder again; None when only a new fact can move it."""
    return ladder.deadline


def overdue(ladder: Ladder, now: datetime) -> Raise | None:
    """The next raise that fell due by `now`, if any (one at a time: see `catch_up`)."""
    deadline = ladder.deadline
    if deadline is None or deadline > now:
        return None
    return Raise(ladder.level + 1, "step_limit", deadline, ladder.step)


def raise_level(ladder: Ladder, due: Raise, terms: Terms) -> tuple[Ladder, EscalationRaised]:
    """Climb to `due.to_level`; the running step gets the new level's limit from `due.at`."""
    if not ladder.level < due.to_level <= TOP:
        raise ValueError(f"cannot raise a level-{ladder.level} ladder to {due.to_level}")
    step_due = None if ladder.step is None else terms.due(ladder.step, due.at)
    entry = Entry(
        EntryKind.raised,
        due.at,
        due.to_level,
        step=ladder.step,
        reason=due.reason,
        until=step_due,
        clock_id=due.clock_id,
    )
    raised = ladder._log(entry, level=due.to_level, step_due_at=step_due, held_until=None)
    event = EscalationRaised(
        ticket_id=ladder.ticket_id,
        level=due.to_level,
        reason=due.reason,
        step=None if ladder.step is None else ladder.step.value,
        contact=terms.who_acts(due.to_level),
        at=due.at,
    )
    return raised, event


def catch_up(ladder: Ladder, now: datetime, terms: Terms) -> tuple[Ladder, list[EscalationRaised]]:
    """Every raise that fell due by `now`, each at its own instant (at most one per level)."""
    events = []
    while (due := overdue(ladder, now)) is not None:
        ladder, event = raise_level(ladder, due, terms)
        events.append(event)
    return ladder, events


def reach(ladder: Ladder, milestone: Milestone, at: datetime, terms: Terms) -> Ladder:
    """The handling got to `milestone` at `at`: the step it completes is done, the next starts.

    Level unchanged (see the module's note). A milestone the ticket has already reached or
    passed is a redelivered or late fact and changes nothing, with one exception: a new
    assignment after a later milestone (the engineer who accepted dropped out) starts the first
    step again. A second assignment while the first step runs does not restart its limit.
    """
    if ladder.stopped_at is not None or milestone is ladder.milestone:
        return ladder
    forward = ladder.milestone is None or MILESTONES.index(milestone) > MILESTONES.index(
        ladder.milestone
    )
    stepping_back = (
        milestone is Milestone.assigned
        and ladder.milestone is not Milestone.resolved
        and ladder.milestone_at is not None
        and at > ladder.milestone_at
    )
    if not forward and not stepping_back:
        return ladder
    reached = ladder
    if forward and ladder.step is not None:
        # Done, or gone past (resolved straight from assigned: the steps between are moot).
        reached = reached._log(Entry(EntryKind.step_done, at, ladder.level, step=ladder.step))
    step = STARTS.get(milestone)
    if step is None:
        return replace(
            reached,
            milestone=milestone,
            milestone_at=at,
            step=None,
            step_started_at=None,
            step_due_at=None,
        )
    due = terms.due(step, at)
    return reached._log(
        Entry(EntryKind.step_started, at, ladder.level, step=step, until=due),
        milestone=milestone,
        milestone_at=at,
        step=step,
        step_started_at=at,
        step_due_at=due,
    )


def reopen(ladder: Ladder, at: datetime, terms: Terms) -> Ladder:
    """A resolved ticket reopened: the last step runs again with a fresh limit, level kept."""
    if ladder.stopped_at is not None or ladder.milestone is not Milestone.resolved:
        return ladder
    step = Step.on_site_to_resolved
    due = terms.due(step, at)
    reopened = ladder._log(Entry(EntryKind.reopened, at, ladder.level))
    return reopened._log(
        Entry(EntryKind.step_started, at, ladder.level, step=step, until=due),
        milestone=Milestone.on_site,
        milestone_at=at,
        step=step,
        step_started_at=at,
        step_due_at=due,
    )


def stop(ladder: Ladder, at: datetime) -> Ladder:
    """Cancelled or closed: the ladder rests for good."""
    if ladder.stopped_at is not None:
        return ladder
    return ladder._log(
        Entry(EntryKind.stopped, at, ladder.level, step=ladder.step),
        stopped_at=at,
        step=None,
        step_due_at=None,
        held_until=None,
    )


def breach(
    ladder: Ladder, clock_id: UUID, at: datetime, terms: Terms
) -> tuple[Ladder, EscalationRaised | None]:
    """An SLA clock ran past its due time `at`: one level up, unless held, at the top or at rest.

    A breach the ladder has already climbed past (a raise after `at`) raises nothing: had it been
    applied at its own time, its raise would have restarted the step's limit and that later raise
    would not have come. So a breach and a step limit falling due together climb one level
    whichever timer sees them first.
    """
    if clock_id in ladder.breached_clocks:
        return ladder, None
    counted = replace(ladder, breached_clocks=ladder.breached_clocks | {clock_id})
    last_raised_at = ladder.last_raised_at
    climbed_past = last_raised_at is not None and last_raised_at > at
    if ladder.at_rest or ladder.level >= TOP or ladder.held_at(at) or climbed_past:
        note = Entry(EntryKind.breach_noted, at, ladder.level, step=ladder.step, clock_id=clock_id)
        return counted._log(note), None
    return raise_level(counted, Raise(ladder.level + 1, "breach", at, ladder.step, clock_id), terms)


def unassigned(
    ladder: Ladder, at: datetime, terms: Terms
) -> tuple[Ladder, EscalationRaised | None]:
    """Nobody could be assigned: straight to the team lead (level 1), if not already higher."""
    if ladder.at_rest or ladder.level >= 1:
        return ladder, None
    return raise_level(ladder, Raise(1, "unassigned", at, ladder.step), terms)


def acknowledge(
    ladder: Ladder,
    by: str,
    at: datetime,
    terms: Terms,
    *,
    level: int | None = None,
    is_admin: bool = False,
) -> tuple[Ladder, EscalationAcknowledged]:
    """The level's contact takes the ticket in hand: the ladder holds for one limit.

    `level` is the level acknowledged (the ticket's current one when not given). Who asks is
    checked before the ticket's state, so a stranger learns nothing about it.
    """
    if level is not None and not 1 <= level <= TOP:
        raise InvalidLevel(level)
    asked = ladder.level if level is None else level
    if asked < 1:
        raise LevelNotReached(1, ladder.level)
    if not is_admin and not terms.is_contact(asked, by):
        # A lower level's contact acknowledging "the ticket" just after it climbed past them.
        passed = [n for n in range(1, ladder.level) if level is None and terms.is_contact(n, by)]
        if passed:
            raise LevelPassed(passed[-1], ladder.level)
        raise NotLevelContact(asked, by)
    if asked > ladder.level:
        raise LevelNotReached(asked, ladder.level)
    if asked < ladder.level:
        raise LevelPassed(asked, ladder.level)
    if ladder.stopped_at is not None:
        raise LadderAtRest("cancelled or closed")
    if ladder.milestone is Milestone.resolved:
        raise LadderAtRest("resolved")
    if asked in ladder.acked_levels:
        earlier = next(
            (e for e in ladder.history if e.kind is EntryKind.acknowledged and e.level == asked),
            None,
        )
        raise AlreadyAcknowledged(
            asked, None if earlier is None else earlier.by, None if earlier is None else earlier.at
        )
    hold_until = terms.due(ladder.step, at)
    held = ladder._log(
        Entry(EntryKind.acknowledged, at, asked, step=ladder.step, by=by, until=hold_until),
        held_until=hold_until,
        acked_levels=ladder.acked_levels | {asked},
    )
    event = EscalationAcknowledged(
        ticket_id=ladder.ticket_id, level=asked, by=by, at=at, hold_until=hold_until
    )
    return held, event


# --- facts and the fold ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reached:
    """assignment.created (assigned), .accepted, .arrived (on_site), ticket.resolved."""

    milestone: Milestone
    at: datetime


@dataclass(frozen=True, slots=True)
class Unassigned:
    at: datetime


@dataclass(frozen=True, slots=True)
class Breached:
    """sla.breached: `at` is the clock's due time, when the breach happened."""

    clock_id: UUID
    at: datetime


@dataclass(frozen=True, slots=True)
class Acknowledged:
    by: str
    at: datetime
    level: int | None = None
    is_admin: bool = False


@dataclass(frozen=True, slots=True)
class Reopened:
    at: datetime


@dataclass(frozen=True, slots=True)
class Stopped:
    """ticket.cancelled or ticket.closed."""

    at: datetime


@dataclass(frozen=True, slots=True)
class Tick:
    """The timer: business time has passed up to `at`."""

    at: datetime


Fact = Reached | Unassigned | Breached | Acknowledged | Reopened | Stopped | Tick


def apply(ladder: Ladder, fact: Fact, terms: Terms) -> tuple[Ladder, list[LadderEvent]]:
    """Catch up to the fact's own time, then apply it: what every handler and the timer call."""
    ladder, raised = catch_up(ladder, fact.at, terms)
    events: list[LadderEvent] = list(raised)
    event: LadderEvent | None = None
    match fact:
        case Reached(milestone=milestone, at=at):
            ladder = reach(ladder, milestone, at, terms)
        case Unassigned(at=at):
            ladder, event = unassigned(ladder, at, terms)
        case Breached(clock_id=clock_id, at=at):
            ladder, event = breach(ladder, clock_id, at, terms)
        case Acknowledged(by=by, at=at, level=level, is_admin=is_admin):
            ladder, event = acknowledge(ladder, by, at, terms, level=level, is_admin=is_admin)
        case Reopened(at=at):
            ladder = reopen(ladder, at, terms)
        case Stopped(at=at):
            ladder = stop(ladder, at)
        case Tick():
            pass
    if event is not None:
        events.append(event)
    return ladder, events


def replay(
    ticket_id: UUID, facts: Iterable[Fact], terms: Terms
) -> tuple[Ladder, list[LadderEvent]]:
    """The ladder a sequence of facts leads to, and every event on the way."""
    ladder = Ladder(ticket_id)
    events: list[LadderEvent] = []
    for fact in facts:
        ladder, caused = apply(ladder, fact, terms)
        events.extend(caused)
    return ladder, events


def terms_for(
    calendar: Calendar, limits: Mapping[Step, timedelta], contacts: Sequence[LadderContact] = ()
) -> Terms:
    """Terms from a contract's ladder contacts; contacts for levels off the ladder are ignored."""
    return Terms(
        calendar=calendar,
        limits=MappingProxyType(dict(limits)),
        contacts=tuple(c for c in contacts if 1 <= c.level <= TOP),
    )
