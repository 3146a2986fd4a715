"""DS-1/DS-2/DS-5/DS-7: which engineers take a fault ticket, and why. Pure: no I/O.

`decide(job, engineers)` screens every engineer offered through six named filters, ranks the
ones that pass, picks the crew asked for, and returns a `Decision` that can explain itself: for
each engineer, which filter let them through or turned them away and, for the eligible, the
components of their rank. The same Decision is stored as JSON and served to whoever asks why
this engineer and not another.

Decisions, in one place:
- Filters run in a fixed order, cheapest and most telling first: skill, active, capacity,
  region, time, excluded. The first that fails ends the screening of that engineer; the
  filters after it are recorded as not checked (`passed` is None). `time` costs a calendar
  look-up, so it runs only for engineers the cheap filters left in. `excluded` runs last, so
  that "candidates_exhausted" means: everyone who could take it has already been tried.
- Nobody eligible is an answer, not an error: the Decision has no `chosen` and a `reason`,
  the code of the filter that turned away the last engineers (the latest filter at which any
  engineer failed). The explanation is worth storing then most of all. `chosen_or_raise()`
  turns it into `NotAssignable` where a caller wants the error.
- Ranking of the eligible, best first: the contract's resident engineer (DS-5); can be on site
  within the contract's on-site terms (DS-4; unknown position, site or terms count as not
  within); lower load, then lower load per capacity; for P1 and P2 seniors before
  maintainers; shorter travel (unknown last); the id, so the same input gives the same order.
- A P1 crew (DS-7) is led by the best-ranked senior of the expert centre and supported by the
  best-ranked maintainer. Without an eligible senior expert the best-ranked engineer leads;
  without an eligible maintainer the crew is one. Both are said in `notes`.
- Distances are great circles (`haversine`): a travel estimate at an assumed road speed does
  not need a geodesic's millimetres, and one costs 0.6 us against 50 us.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, NamedTuple
from uuid import UUID

from haversine import haversine

from shared.businesstime import Calendar, NaiveDatetime, is_working
from shared.errors import DomainError
from shared.vocabulary import Category

# DS-2: an engineer's skills are the task groups tickets are sorted into.
Skill = Category

DEFAULT_SPEED_KMH = 40.0
# DS-7: the priorities that call for seniors first and may wake whoever is on call.
URGENT = frozenset({"P1", "P2"})

Position = tuple[float, float]  # latitude, longitude in degrees
Period = tuple[datetime, datetime]  # [from, to)


class Team(StrEnum):
    site = "site"
    expert_centre = "expert_centre"
    mobile_pool = "mobile_pool"  # DS-2: covers every region


class Seniority(StrEnum):
    senior = "senior"
    maintainer = "maintainer"


class PositionSource(StrEnum):
    last_known = "last_known"
    home = "home"


class Coverage(StrEnum):
    business_hours = "5x8"
    around_the_clock = "7x24"


class Exclusion(StrEnum):
    """Why an engineer is not asked again for this ticket."""

    declined = "declined"
    timed_out = "timed_out"
    on_ticket = "on_ticket"


class Want(StrEnum):
    crew = "crew"  # the ticket's crew: lead and support for a P1 (DS-7), a lead otherwise
    one = "one"  # a single lead, whatever the priority
    support = "support"  # one more maintainer beside whoever is on the ticket
    # ES-4 from level 2, and a ticket reclassified to P1: one more from the expert centre
    expert_support = "expert_support"


class Role(StrEnum):
    lead = "lead"
    support = "support"


class Filter(StrEnum):
    skill = "skill"
    active = "active"
    capacity = "capacity"
    region = "region"
    time = "time"
    excluded = "excluded"


# The reason nobody was chosen, named after the filter that turned away the last engineers.
REASONS: Mapping[Filter, str] = MappingProxyType(
    {
        Filter.skill: "no_skilled_engineer",
        Filter.active: "everyone_on_leave",
        Filter.capacity: "all_at_capacity",
        Filter.region: "no_one_covers_region",
        Filter.time: "nobody_on_shift",
        Filter.excluded: "candidates_exhausted",
    }
)
# Eligible engineers there were, but none of the kind asked for.
NO_MAINTAINER = "no_eligible_maintainer"
NO_EXPERT = "no_eligible_expert"

_REASON_TEXT: Mapping[str, str] = MappingProxyType(
    {
        "no_skilled_engineer": "nobody has the skill",
        "everyone_on_leave": "everyone with the skill is on leave",
        "all_at_capacity": "everyone available is at capacity",
        "no_one_covers_region": "nobody available covers the region",
        "nobody_on_shift": "nobody available is on shift or on call",
        "candidates_exhausted": "everyone who could take it has been asked",
        NO_MAINTAINER: "no maintainer is eligible",
        NO_EXPERT: "nobody of the expert centre is eligible",
    }
)
_EXCLUSION_TEXT: Mapping[Exclusion, str] = MappingProxyType(
    {
        Exclusion.declined: "declined earlier",
        Exclusion.timed_out: "did not answer in time earlier",
        Exclusion.on_ticket: "already on this ticket",
    }
)


@dataclass(frozen=True, slots=True)
class Engineer:
    id: UUID
    name: str
    skills: frozenset[str]
    team: Team
    seniority: Seniority
    regions: frozenset[str]
    shift: Calendar
    capacity: int
    load: int  # active assignments now
    certifications: frozenset[str] = frozenset()
    on_call: tuple[Period, ...] = ()
    active: bool = True  # False: on leave
    position: Position | None = None
    position_source: PositionSource = PositionSource.last_known


@dataclass(frozen=True, slots=True)
class Job:
    """What is to be decided: a ticket, at an instant, under its contract's terms."""

    ticket_id: UUID
    priority: str  # P1..P4
    skill: str  # the ticket's category
    at: datetime
    # The contract's calendar: outside it a P1 or P2 may go to whoever is on call.
    business_calendar: Calendar
    region: str | None = None
    site: Position | None = None
    coverage: Coverage | None = None
    onsite_minutes: int | None = None  # DS-4: the contract's on-site terms
    resident_engineer_id: UUID | None = None  # DS-5
    excluded: Mapping[UUID, Exclusion] = field(default_factory=lambda: MappingProxyType({}))


class Check(NamedTuple):
    """One filter's verdict on one engineer; `passed` is None when it was not checked."""

    name: Filter
    passed: bool | None
    detail: str


@dataclass(frozen=True, slots=True)
class Score:
    """The components an eligible engineer is ranked by, in the order they count."""

    resident: bool
    within_onsite_terms: bool | None  # None: position, site or terms unknown
    load: int
    capacity: int
    seniority: Seniority
    travel_km: float | None
    travel_minutes: float | None
    team: Team
    position_source: PositionSource | None


@dataclass(frozen=True, slots=True)
class Verdict:
    engineer_id: UUID
    name: str
    eligible: bool
    filters: tuple[Check, ...]
    score: Score | None  # eligible engineers only
    rank: int | None  # 1 is the best; eligible engineers only


class Choice(NamedTuple):
    engineer_id: UUID
    role: Role


class Note(NamedTuple):
    code: str
    detail: str


class NotAssignable(DomainError):
    title = "Nobody can take this ticket"


@dataclass(frozen=True, slots=True)
class Decision:
    job: Job
    want: Want
    speed_kmh: float
    chosen: tuple[Choice, ...]
    # The eligible by rank, then the others in the order they were offered.
    candidates: tuple[Verdict, ...]
    reason: str | None  # set exactly when nobody was chosen
    notes: tuple[Note, ...] = ()

    def verdict(self, engineer_id: UUID) -> Verdict:
        return next(v for v in self.candidates if v.engineer_id == engineer_id)

    def chosen_or_raise(self) -> tuple[Choice, ...]:
        if not self.chosen:
            raise NotAssignable(
                self.summary(), reason=self.reason, ticket_id=str(self.job.ticket_id)
            )
        return self.chosen

    def summary(self) -> str:
        """One line for the event: who and why, or why nobody."""
        if not self.chosen:
            text = _REASON_TEXT.get(self.reason or "", self.reason or "")
            return f"unassigned: {text} ({len(self.candidates)} candidates)"
        line = "; ".join(self._why(choice) for choice in self.chosen)
        if self.notes:
            line += " (" + "; ".join(note.detail for note in self.notes) + ")"
        return line

    def _why(self, choice: Choice) -> str:
        verdict = self.verdict(choice.engineer_id)
        score = verdict.score
        if score is None:  # a chosen engineer is always eligible
            return f"{choice.role} {verdict.name}"
        parts = ["resident engineer"] if score.resident else []
        if score.travel_minutes is None:
            parts.append("distance unknown")
        else:
            home = " from home" if score.position_source is PositionSource.home else ""
            parts.append(f"{score.travel_minutes:.0f} min away{home}")
        parts.append(f"load {score.load}/{score.capacity}")
        return f"{choice.role} {verdict.name}: {', '.join(parts)}"

    def as_json(self) -> dict[str, Any]:
        """What the dispatch JSONB column stores and GET /v1/tickets/{id}/dispatch serves.

        Each candidate says why or why not: `failed` names the filter that turned them away
        and its detail; the eligible have `passed` (each filter's detail), `rank` and `score`.
        """
        job = self.job
        return {
            "ticket_id": str(job.ticket_id),
            "priority": job.priority,
            "skill": job.skill,
            "region": job.region,
            "at": job.at.isoformat(),
            "coverage": None if job.coverage is None else str(job.coverage),
            "onsite_minutes": job.onsite_minutes,
            "want": str(self.want),
            "speed_kmh": self.speed_kmh,
            # in the order they run: a candidate's filters after its failed one were not checked
            "filters": [str(f) for f in Filter],
            "chosen": [
                {"engineer_id": str(c.engineer_id), "role": str(c.role)} for c in self.chosen
            ],
            "reason": self.reason,
            "notes": [{"code": n.code, "detail": n.detail} for n in self.notes],
            "summary": self.summary(),
            "candidates": [_verdict_json(v) for v in self.candidates],
        }


def _verdict_json(verdict: Verdict) -> dict[str, Any]:
    # Compact, since it is stored with every decision: filters run in a known order up to the
    # first failure, so an engineer turned away is explained by the filter that failed (those
    # before it passed, those after it were not checked) and only the eligible list what they
    # passed. 1,000 engineers come to about 250 KiB.
    score = verdict.score
    if score is None:
        failed = next(c for c in verdict.filters if c.passed is False)
        return {
            "engineer_id": str(verdict.engineer_id),
            "name": verdict.name,
            "eligible": False,
            "rank": None,
            "failed": {"filter": str(failed.name), "detail": failed.detail},
            "passed": None,
            "score": None,
        }
    return {
        "engineer_id": str(verdict.engineer_id),
        "name": verdict.name,
        "eligible": True,
        "rank": verdict.rank,
        "failed": None,
        "passed": {str(c.name): c.detail for c in verdict.filters},
        "score": _score_json(score),
    }


def _score_json(score: Score) -> dict[str, Any]:
    return {
        "resident": score.resident,
        "within_onsite_terms": score.within_onsite_terms,
        "load": score.load,
        "capacity": score.capacity,
        "seniority": str(score.seniority),
        "travel_km": None if score.travel_km is None else round(score.travel_km, 1),
        "travel_minutes": None if score.travel_minutes is None else round(score.travel_minutes, 1),
        "team": str(score.team),
        "position_source": None if score.position_source is None else str(score.position_source),
    }


# --- screening ------------------------------------------------------------------------------

_ORDER = tuple(Filter)
_NOT_CHECKED = tuple(Check(f, None, "not checked") for f in _ORDER)
_ACTIVE = Check(Filter.active, True, "not on leave")
_ON_LEAVE = Check(Filter.active, False, "on leave")
_BELOW_CAPACITY = Check(Filter.capacity, True, "below capacity")  # the score shows the load
_ON_CALL = Check(Filter.time, True, "on call")
_NOT_EXCLUDED = Check(Filter.excluded, True, "not asked before")

Checks = tuple[Check, ...]


def _padded(*checks: Check) -> Checks:
    """The checks made, then every filter after the first failure as not checked."""
    return checks + _NOT_CHECKED[len(checks) :]


class _Screen:
    """One decision's filters, run in the order of `Filter` up to the first that fails.

    Engineers share a handful of verdict texts ("on leave", "on shift (cn-5x8)", "covers
    north"), so each distinct sequence of checks is built once per decision and shared. What a
    decision keeps alive per engineer is what the garbage collector walks: at 1,000 engineers
    that, more than the filters themselves, set the p99.
    """

    __slots__ = (
        "_job",
        "_on_call_counts",
        "_skilled",
        "_lacks_skill",
        "_on_leave",
        "_passed",
        "_no_region",
        "_covers",
        "_mobile_pool",
        "_known",
    )

    def __init__(self, job: Job, *, on_call_counts: bool) -> None:
        self._job = job
        self._on_call_counts = on_call_counts
        # Anything outside the named task groups goes to whoever is free.
        self._skilled = job.skill == Skill.other
        has_skill = Check(
            Filter.skill,
            True,
            "any engineer takes other faults" if self._skilled else f"has {job.skill}",
        )
        self._lacks_skill = _padded(Check(Filter.skill, False, f"lacks {job.skill}"))
        self._on_leave = _padded(has_skill, _ON_LEAVE)
        self._passed = (has_skill, _ACTIVE, _BELOW_CAPACITY)
        self._no_region = Check(Filter.region, True, "the ticket has no region")
        self._covers = Check(Filter.region, True, f"covers {job.region}")
        self._mobile_pool = Check(Filter.region, True, f"mobile pool, covers {job.region}")
        self._known: dict[tuple[object, ...], Checks] = {}

    def _shared(self, key: tuple[object, ...], build: Callable[[], Checks]) -> Checks:
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = build()
        return found

    def __call__(self, engineer: Engineer) -> tuple[Checks, int | None]:
        """The checks, and the position in `Filter` of the one that failed (None: eligible)."""
        job, passed = self._job, self._passed
        if not (self._skilled or job.skill in engineer.skills):
            return self._lacks_skill, 0
        if not engineer.active:
            return self._on_leave, 1
        # Each sequence is built only the first time its key is met: the keys are what the texts
        # depend on.
        load, capacity = engineer.load, engineer.capacity
        if load >= capacity:
            return self._shared(
                (Filter.capacity, load, capacity),
                lambda: _padded(
                    *passed[:2],
                    Check(Filter.capacity, False, f"at capacity, load {load}/{capacity}"),
                ),
            ), 2

        region, regions = job.region, engineer.regions
        if region is None:
            place = self._no_region
        elif region in regions:
            place = self._covers
        elif engineer.team is Team.mobile_pool:
            place = self._mobile_pool
        else:
            return self._shared(
                (Filter.region, regions),
                lambda: _padded(
                    *passed,
                    Check(Filter.region, False, f"covers {_listed(regions)}, not {region}"),
                ),
            ), 3

        shift = engineer.shift.name
        on_shift = is_working(engineer.shift, job.at)
        if not on_shift:
            on_call = any(start <= job.at < end for start, end in engineer.on_call)
            if not (on_call and self._on_call_counts):
                return self._shared(
                    (Filter.time, place.detail, shift, on_call),
                    lambda: _padded(
                        *passed, place, Check(Filter.time, False, _off_shift(shift, on_call))
                    ),
                ), 4

        def when() -> Check:
            return Check(Filter.time, True, f"on shift ({shift})") if on_shift else _ON_CALL

        why = job.excluded.get(engineer.id)
        if why is None:
            return self._shared(
                (Filter.excluded, place.detail, on_shift and shift),
                lambda: _padded(*passed, place, when(), _NOT_EXCLUDED),
            ), None
        return self._shared(
            (Filter.excluded, place.detail, on_shift and shift, why),
            lambda: _padded(
                *passed,
                place,
                when(),
                Check(Filter.excluded, False, _EXCLUSION_TEXT.get(why, str(why))),
            ),
        ), 5


def _listed(regions: frozenset[str]) -> str:
    return ", ".join(sorted(regions)) or "no region"


def _off_shift(shift: str, on_call: bool) -> str:
    if on_call:
        return (
            f"off shift ({shift}); on call counts for 7x24 contracts and for P1/P2 outside "
            "business hours only"
        )
    return f"off shift ({shift}), not on call"


# --- ranking --------------------------------------------------------------------------------


def _score(engineer: Engineer, job: Job, speed_kmh: float) -> Score:
    km: float | None = None
    minutes: float | None = None
    within: bool | None = None
    if engineer.position is not None and job.site is not None:
        km = float(haversine(engineer.position, job.site))
        minutes = km / speed_kmh * 60
        if job.onsite_minutes is not None:
            within = minutes <= job.onsite_minutes
    return Score(
        resident=engineer.id == job.resident_engineer_id,
        within_onsite_terms=within,
        load=engineer.load,
        capacity=engineer.capacity,
        seniority=engineer.seniority,
        travel_km=km,
        travel_minutes=minutes,
        team=engineer.team,
        position_source=None if engineer.position is None else engineer.position_source,
    )


_RankKey = tuple[bool, bool, int, float, int, float, UUID]


def _rank_key(engineer: Engineer, score: Score, urgent: bool) -> _RankKey:
    # False sorts first: "not resident" is the worse value.
    return (
        not score.resident,
        score.within_onsite_terms is not True,
        score.load,
        score.load / score.capacity,
        int(urgent and score.seniority is not Seniority.senior),
        math.inf if score.travel_minutes is None else score.travel_minutes,
        engineer.id,
    )


# --- the decision ---------------------------------------------------------------------------


def decide(
    job: Job,
    engineers: Iterable[Engineer],
    *,
    want: Want = Want.crew,
    speed_kmh: float = DEFAULT_SPEED_KMH,
) -> Decision:
    """Who takes `job` among `engineers`, and why each of them does or does not."""
    if job.at.tzinfo is None or job.at.utcoffset() is None:
        raise NaiveDatetime(f"the decision time {job.at!r} has no time zone")
    if not speed_kmh > 0:
        raise ValueError(f"a travel speed must be positive, not {speed_kmh!r} km/h")
    urgent = job.priority in URGENT
    screen = _Screen(
        job,
        on_call_counts=job.coverage is Coverage.around_the_clock
        or (urgent and not is_working(job.business_calendar, job.at)),
    )
    passed: list[tuple[_RankKey, Engineer, tuple[Check, ...], Score]] = []
    turned_away: list[Verdict] = []
    last_filter = -1
    for engineer in engineers:
        checks, failed_at = screen(engineer)
        if failed_at is None:
            score = _score(engineer, job, speed_kmh)
            passed.append((_rank_key(engineer, score, urgent), engineer, checks, score))
        else:
            last_filter = max(last_filter, failed_at)
            turned_away.append(Verdict(engineer.id, engineer.name, False, checks, None, None))
    passed.sort(key=lambda p: p[0])
    ranked = [
        (engineer, Verdict(engineer.id, engineer.name, True, checks, score, n))
        for n, (_, engineer, checks, score) in enumerate(passed, 1)
    ]
    if ranked:
        chosen, notes, reason = _pick(ranked, job, want)
    else:
        # No engineer offered at all: nobody with the skill was found to offer.
        chosen, notes = (), ()
        reason = REASONS[_ORDER[last_filter] if last_filter >= 0 else Filter.skill]
    return Decision(
        job=job,
        want=want,
        speed_kmh=speed_kmh,
        chosen=chosen,
        candidates=tuple(v for _, v in ranked) + tuple(turned_away),
        reason=reason,
        notes=notes,
    )


def _pick(
    ranked: list[tuple[Engineer, Verdict]], job: Job, want: Want
) -> tuple[tuple[Choice, ...], tuple[Note, ...], str | None]:
    """The crew asked for, from the eligible best first; a reason when nobody fits."""

    def best(fits: Callable[[Engineer], bool]) -> Engineer | None:
        return next((e for e, _ in ranked if fits(e)), None)

    if want is Want.support:
        support = best(lambda e: e.seniority is Seniority.maintainer)
        if support is None:
            return (), (), NO_MAINTAINER
        return (Choice(support.id, Role.support),), (), None
    if want is Want.expert_support:
        expert = best(lambda e: e.team is Team.expert_centre)
        if expert is None:
            return (), (), NO_EXPERT
        return (Choice(expert.id, Role.support),), (), None
    if want is Want.one or job.priority != "P1":
        return (Choice(ranked[0][0].id, Role.lead),), (), None
    # DS-7: a major fault sends senior R&D staff and experienced maintainers together.
    notes: list[Note] = []
    lead = best(lambda e: e.seniority is Seniority.senior and e.team is Team.expert_centre)
    if lead is None:
        lead = ranked[0][0]
        notes.append(
            Note("no_senior_expert", f"no senior expert is eligible, so {lead.name} leads")
        )
    crew = [Choice(lead.id, Role.lead)]
    lead_id = lead.id
    support = best(lambda e: e.seniority is Seniority.maintainer and e.id != lead_id)
    if support is None:
        notes.append(Note("no_maintainer", "no maintainer is eligible: a crew of one"))
    else:
        crew.append(Choice(support.id, Role.support))
    return tuple(crew), tuple(notes), None
