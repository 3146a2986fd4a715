import json
import math
from datetime import datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.dispatch.assignments.decision import (
    REASONS,
    Choice,
    Coverage,
    Engineer,
    Exclusion,
    Filter,
    Job,
    NotAssignable,
    PositionSource,
    Role,
    Seniority,
    Team,
    Want,
    decide,
)
from shared.businesstime import NaiveDatetime, calendar, is_working, weekly

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 3, 11, 10, 0, tzinfo=SHANGHAI)  # a Wednesday, office hours
NIGHT = datetime(2026, 3, 11, 23, 0, tzinfo=SHANGHAI)
SATURDAY = datetime(2026, 3, 14, 10, 0, tzinfo=SHANGHAI)
OFFICE = calendar("cn-5x8")
ALWAYS = calendar("24x7")
EVENINGS = weekly("Asia/Shanghai", {"mon-sun": ["18:00-24:00"]}, name="evenings")

SITE = (39.90, 116.40)
NEAR = (39.95, 116.40)  # 5.6 km: 8 min at 40 km/h
MIDDLE = (40.20, 116.40)  # 33 km: 50 min
FAR = (41.00, 116.40)  # 122 km: 3 h


def engineer(
    name: str = "E",
    *,
    skills=("network",),
    team=Team.site,
    seniority=Seniority.maintainer,
    regions=("north",),
    shift=OFFICE,
    capacity=4,
    load=0,
    on_call=(),
    active=True,
    position=None,
    position_source=PositionSource.last_known,
    id_=None,
) -> Engineer:
    return Engineer(
        id=id_ or uuid4(),
        name=name,
        skills=frozenset(skills),
        team=team,
        seniority=seniority,
        regions=frozenset(regions),
        shift=shift,
        capacity=capacity,
        load=load,
        on_call=tuple(on_call),
        active=active,
        position=position,
        position_source=position_source,
    )


def job(
    priority: str = "P3",
    *,
    skill="network",
    region="north",
    at=DAY,
    site=SITE,
    coverage=Coverage.business_hours,
    onsite_minutes=120,
    resident=None,
    excluded=None,
    business_calendar=OFFICE,
) -> Job:
    return Job(
        ticket_id=uuid4(),
        priority=priority,
        skill=skill,
        at=at,
        business_calendar=business_calendar,
        region=region,
        site=site,
        coverage=coverage,
        onsite_minutes=onsite_minutes,
        resident_engineer_id=resident,
        excluded=excluded or {},
    )


def lead(decision) -> UUID:
    (first, *_) = decision.chosen
    assert first.role is Role.lead
    return first.engineer_id


def failed(decision, engineer_id) -> tuple[Filter, str]:
    verdict = decision.verdict(engineer_id)
    assert not verdict.eligible
    (check,) = [c for c in verdict.filters if c.passed is False]
    return check.name, check.detail


# --- ranking --------------------------------------------------------------------------------


def test_the_contracts_resident_engineer_comes_first_even_when_busier_and_farther():
    resident = engineer("Resident", load=3, position=FAR)
    other = engineer("Other", load=0, position=NEAR)
    decision = decide(job(resident=resident.id), [other, resident])
    assert lead(decision) == resident.id
    assert decision.verdict(resident.id).score.resident


def test_one_who_can_be_on_site_within_the_terms_beats_a_less_loaded_one_who_cannot():
    within = engineer("Within", load=3, position=MIDDLE)
    beyond = engineer("Beyond", load=0, position=FAR)
    decision = decide(job(onsite_minutes=120), [beyond, within])
    assert lead(decision) == within.id
    assert decision.verdict(beyond.id).score.within_onsite_terms is False


def test_among_those_within_the_terms_the_less_loaded_wins_though_farther():
    nearer_but_loaded = engineer("Near", load=2, position=NEAR)
    farther_but_free = engineer("Middle", load=1, position=MIDDLE)
    assert lead(decide(job(onsite_minutes=120), [nearer_but_loaded, farther_but_free])) == (
        farther_but_free.id
    )


def test_at_equal_load_the_one_with_more_room_left_wins():
    full_soon = engineer("Two", load=1, capacity=2, position=NEAR)
    roomy = engineer("Four", load=1, capacity=4, position=MIDDLE)
    assert lead(decide(job(), [full_soon, roomy])) == roomy.id


@pytest.mark.parametrize(("priority", "senior_wins"), [("P1", True), ("P2", True), ("P3", False)])
def test_seniors_go_first_for_p1_and_p2_only(priority, senior_wins):
    senior = engineer("Senior", seniority=Seniority.senior, position=MIDDLE)
    maintainer = engineer("Maintainer", position=NEAR)
    chosen = lead(decide(job(priority), [maintainer, senior], want=Want.one))
    assert chosen == (senior.id if senior_wins else maintainer.id)


def test_ties_go_to_the_shorter_journey_then_to_the_lower_id():
    a = engineer("A", position=MIDDLE, id_=UUID(int=1))
    b = engineer("B", position=NEAR, id_=UUID(int=2))
    c = engineer("C", position=NEAR, id_=UUID(int=3))
    decision = decide(job(), [c, a, b])
    assert [v.engineer_id for v in decision.candidates] == [b.id, c.id, a.id]
    assert [v.rank for v in decision.candidates] == [1, 2, 3]


def test_an_unknown_position_is_not_within_the_terms_and_is_recorded_as_unknown():
    unknown = engineer("Nowhere", load=0)
    known = engineer("Known", load=2, position=MIDDLE)
    decision = decide(job(), [unknown, known])
    assert lead(decision) == known.id
    score = decision.verdict(unknown.id).score
    assert (score.travel_km, score.travel_minutes, score.within_onsite_terms) == (None, None, None)


def test_without_on_site_terms_nobody_is_within_them_and_load_decides():
    near = engineer("Near", load=1, position=NEAR)
    far = engineer("Far", load=0, position=FAR)
    decision = decide(job(onsite_minutes=None), [near, far])
    assert lead(decision) == far.id
    assert decision.verdict(near.id).score.within_onsite_terms is None


def test_travel_time_follows_the_speed_given():
    e = engineer(position=MIDDLE)
    slow = decide(job(), [e], speed_kmh=20).verdict(e.id).score
    fast = decide(job(), [e], speed_kmh=40).verdict(e.id).score
    assert slow.travel_km == pytest.approx(33.4, abs=0.1)
    assert slow.travel_minutes == pytest.approx(2 * fast.travel_minutes)


# --- eligibility ----------------------------------------------------------------------------


def test_an_on_call_engineer_takes_a_p1_at_night_on_a_7x24_contract():
    on_call = engineer(
        "On call", on_call=[(NIGHT - timedelta(hours=2), NIGHT + timedelta(hours=8))]
    )
    decision = decide(job("P1", at=NIGHT, coverage=Coverage.around_the_clock), [on_call])
    assert lead(decision) == on_call.id
    time = next(c for c in decision.verdict(on_call.id).filters if c.name is Filter.time)
    assert (time.passed, time.detail) == (True, "on call")


def test_an_on_call_engineer_is_not_woken_for_a_p4_on_a_5x8_contract():
    on_call = engineer(
        "On call", on_call=[(NIGHT - timedelta(hours=2), NIGHT + timedelta(hours=8))]
    )
    decision = decide(job("P4", at=NIGHT, coverage=Coverage.business_hours), [on_call])
    assert decision.chosen == ()
    assert decision.reason == "nobody_on_shift"
    name, detail = failed(decision, on_call.id)
    assert name is Filter.time and "on call counts" in detail


def test_on_call_counts_for_a_p2_outside_the_contracts_business_hours():
    on_call = engineer("On call", on_call=[(SATURDAY, SATURDAY + timedelta(hours=12))])
    assert lead(decide(job("P2", at=SATURDAY, coverage=None), [on_call])) == on_call.id


def test_on_call_does_not_count_for_a_p1_in_business_hours_on_a_5x8_contract():
    # In office hours the engineers on shift answer; nobody off shift is called in.
    night_worker = engineer("Nights", shift=EVENINGS, on_call=[(DAY, DAY + timedelta(hours=1))])
    decision = decide(job("P1", at=DAY), [night_worker])
    assert failed(decision, night_worker.id)[0] is Filter.time


def test_an_engineer_on_shift_needs_no_on_call_period():
    evenings = engineer("Evenings", shift=EVENINGS)
    decision = decide(job(at=NIGHT), [evenings])
    assert lead(decision) == evenings.id
    assert decision.verdict(evenings.id).filters[4].detail == "on shift (evenings)"


def test_the_mobile_pool_covers_other_regions_and_a_site_engineer_elsewhere_does_not():
    pool = engineer("Pool", team=Team.mobile_pool, regions=("south",))
    elsewhere = engineer("South", regions=("south", "west"))
    decision = decide(job(region="north"), [elsewhere, pool])
    assert lead(decision) == pool.id
    assert failed(decision, elsewhere.id) == (Filter.region, "covers south, west, not north")


def test_a_ticket_without_a_region_may_go_to_anyone():
    south = engineer("South", regions=("south",))
    assert lead(decide(job(region=None), [south])) == south.id


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (dict(active=False), (Filter.active, "on leave")),
        (dict(load=4, capacity=4), (Filter.capacity, "at capacity, load 4/4")),
        (dict(skills=("host",)), (Filter.skill, "lacks network")),
    ],
)
def test_engineers_are_refused_with_the_filter_that_refused_them_named(kind, expected):
    refused, taker = engineer("Refused", **kind), engineer("Taker")
    decision = decide(job(), [refused, taker])
    assert lead(decision) == taker.id
    assert failed(decision, refused.id) == expected


def test_an_engineer_who_declined_earlier_is_not_asked_again_and_the_explanation_says_so():
    declined, taker = engineer("Declined", position=NEAR), engineer("Taker", position=FAR)
    decision = decide(job(excluded={declined.id: Exclusion.declined}), [declined, taker])
    assert lead(decision) == taker.id
    assert failed(decision, declined.id) == (Filter.excluded, "declined earlier")


def test_the_filters_after_the_first_failure_are_recorded_as_not_checked():
    on_leave = engineer("Away", active=False, shift=EVENINGS)
    checks = decide(job(), [on_leave]).verdict(on_leave.id).filters
    assert [(c.name, c.passed) for c in checks] == [
        (Filter.skill, True),
        (Filter.active, False),
        (Filter.capacity, None),
        (Filter.region, None),
        (Filter.time, None),
        (Filter.excluded, None),
    ]
    assert {c.detail for c in checks if c.passed is None} == {"not checked"}


def test_other_faults_go_to_whoever_is_free_whatever_their_skills():
    storage = engineer("Storage", skills=("storage",))
    assert lead(decide(job(skill="other"), [storage])) == storage.id


# --- crews (DS-7) ---------------------------------------------------------------------------


def test_a_p1_crew_is_a_senior_expert_leading_and_a_maintainer_supporting():
    senior_on_site = engineer("Senior site", seniority=Seniority.senior, position=NEAR)
    expert = engineer(
        "Expert", team=Team.expert_centre, seniority=Seniority.senior, position=MIDDLE
    )
    maintainer = engineer("Maintainer", position=MIDDLE)
    decision = decide(job("P1"), [senior_on_site, maintainer, expert])
    assert decision.chosen == (Choice(expert.id, Role.lead), Choice(maintainer.id, Role.support))
    assert decision.notes == ()


def test_without_a_senior_expert_the_best_ranked_engineer_leads_and_the_note_says_so():
    senior_on_site = engineer("Senior site", seniority=Seniority.senior)
    maintainer = engineer("Maintainer", load=1)
    decision = decide(job("P1"), [maintainer, senior_on_site])
    assert decision.chosen == (
        Choice(senior_on_site.id, Role.lead),
        Choice(maintainer.id, Role.support),
    )
    assert [n.code for n in decision.notes] == ["no_senior_expert"]
    assert "Senior site leads" in decision.summary()


def test_without_an_eligible_maintainer_a_p1_crew_is_one_engineer_with_a_note():
    expert = engineer("Expert", team=Team.expert_centre, seniority=Seniority.senior)
    decision = decide(job("P1"), [expert, engineer("Away", active=False)])
    assert decision.chosen == (Choice(expert.id, Role.lead),)
    assert [n.code for n in decision.notes] == ["no_maintainer"]
    assert decision.reason is None


def test_when_the_only_engineer_is_a_maintainer_they_lead_and_nobody_supports():
    maintainer = engineer("Maintainer")
    decision = decide(job("P1"), [maintainer])
    assert decision.chosen == (Choice(maintainer.id, Role.lead),)
    assert [n.code for n in decision.notes] == ["no_senior_expert", "no_maintainer"]


@pytest.mark.parametrize("priority", ["P2", "P3", "P4"])
def test_below_p1_the_crew_is_one_lead(priority):
    expert = engineer("Expert", team=Team.expert_centre, seniority=Seniority.senior)
    decision = decide(job(priority), [expert, engineer("Maintainer")])
    assert len(decision.chosen) == 1 and decision.chosen[0].role is Role.lead


def test_one_more_expert_supports_even_when_a_site_engineer_ranks_higher():
    on_ticket = engineer("Lead", seniority=Seniority.senior, position=NEAR)
    site = engineer("Site", position=NEAR)
    expert = engineer("Expert", team=Team.expert_centre, position=FAR)
    decision = decide(
        job("P2", excluded={on_ticket.id: Exclusion.on_ticket}),
        [on_ticket, site, expert],
        want=Want.expert_support,
    )
    assert decision.chosen == (Choice(expert.id, Role.support),)
    assert failed(decision, on_ticket.id) == (Filter.excluded, "already on this ticket")


def test_asking_for_an_expert_when_none_is_eligible_names_that_reason():
    decision = decide(job("P1"), [engineer("Site")], want=Want.expert_support)
    assert (decision.chosen, decision.reason) == ((), "no_eligible_expert")


def test_completing_a_crew_adds_the_best_ranked_maintainer_as_support():
    senior = engineer("Senior", seniority=Seniority.senior, position=NEAR)
    maintainer = engineer("Maintainer", position=FAR)
    decision = decide(job("P1"), [senior, maintainer], want=Want.support)
    assert decision.chosen == (Choice(maintainer.id, Role.support),)
    only_seniors = decide(job("P1"), [senior], want=Want.support)
    assert (only_seniors.chosen, only_seniors.reason) == ((), "no_eligible_maintainer")


def test_asking_for_one_gives_a_p1_a_single_lead():
    expert = engineer("Expert", team=Team.expert_centre, seniority=Seniority.senior)
    decision = decide(job("P1"), [expert, engineer("Maintainer")], want=Want.one)
    assert decision.chosen == (Choice(expert.id, Role.lead),)


# --- the explanation ------------------------------------------------------------------------


def test_the_explanation_lists_every_candidate_the_eligible_first_by_rank():
    people = [
        engineer("Busy", load=2, position=NEAR),
        engineer("Away", active=False),
        engineer("Free", load=0, position=NEAR),
        engineer("Host", skills=("host",)),
        engineer("Night", shift=EVENINGS),
    ]
    decision = decide(job(), people)
    assert [v.name for v in decision.candidates] == ["Free", "Busy", "Away", "Host", "Night"]
    assert [v.rank for v in decision.candidates] == [1, 2, None, None, None]
    assert all(len(v.filters) == len(Filter) for v in decision.candidates)
    assert all((v.score is None) != v.eligible for v in decision.candidates)


def test_the_summary_says_who_and_why_in_one_line():
    resident = engineer("Li Wei", load=1, position=NEAR)
    decision = decide(job(resident=resident.id), [resident])
    assert decision.summary() == "lead Li Wei: resident engineer, 8 min away, load 1/4"


def test_the_summary_says_when_the_distance_is_from_home_or_unknown():
    home = engineer("Home", position=NEAR, position_source=PositionSource.home)
    assert decide(job(), [home]).summary() == "lead Home: 8 min away from home, load 0/4"
    nowhere = engineer("Nowhere")
    assert decide(job(), [nowhere]).summary() == "lead Nowhere: distance unknown, load 0/4"


def test_the_summary_of_nobody_gives_the_reason():
    decision = decide(job(), [engineer(active=False), engineer(active=False)])
    assert decision.summary() == "unassigned: everyone with the skill is on leave (2 candidates)"


def test_the_explanation_is_json_and_answers_why_not_each_other_one():
    taker, away = engineer("Taker", position=NEAR), engineer("Away", active=False)
    document = json.loads(json.dumps(decide(job("P2"), [taker, away]).as_json()))
    assert document["chosen"] == [{"engineer_id": str(taker.id), "role": "lead"}]
    assert document["reason"] is None
    by_name = {c["name"]: c for c in document["candidates"]}
    assert by_name["Taker"]["score"]["travel_minutes"] == pytest.approx(8.3, abs=0.1)
    assert by_name["Taker"]["passed"]["time"] == "on shift (cn-5x8)"
    assert by_name["Away"]["failed"] == {"filter": "active", "detail": "on leave"}
    assert by_name["Away"]["score"] is None
    assert document["filters"] == ["skill", "active", "capacity", "region", "time", "excluded"]


def test_nobody_eligible_is_a_decision_that_raises_only_when_asked_to():
    decision = decide(job(), [engineer(skills=("host",))])
    assert decision.chosen == ()
    with pytest.raises(NotAssignable) as refused:
        decision.chosen_or_raise()
    assert refused.value.context["reason"] == "no_skilled_engineer"


def test_a_decision_time_without_a_time_zone_is_refused():
    with pytest.raises(NaiveDatetime):
        decide(job(at=datetime(2026, 3, 11, 10, 0)), [engineer()])


# --- reasons --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("people", "reason"),
    [
        ([], "no_skilled_engineer"),
        ([dict(skills=("host",))], "no_skilled_engineer"),
        ([dict(active=False)], "everyone_on_leave"),
        ([dict(load=2, capacity=2)], "all_at_capacity"),
        ([dict(regions=("south",))], "no_one_covers_region"),
        ([dict(shift=EVENINGS)], "nobody_on_shift"),
        ([dict(name="Tried")], "candidates_exhausted"),
        # the filter that turned away the last engineers names the reason
        ([dict(skills=("host",)), dict(load=1, capacity=1)], "all_at_capacity"),
        ([dict(shift=EVENINGS), dict(active=False), dict(regions=())], "nobody_on_shift"),
    ],
)
def test_nobody_chosen_gives_the_reason_of_the_last_filter_that_refused(people, reason):
    engineers = [engineer(**p) for p in people]
    tried = {e.id: Exclusion.timed_out for e in engineers if e.name == "Tried"}
    decision = decide(job(excluded=tried), engineers)
    assert (decision.chosen, decision.reason) == ((), reason)
    assert reason in REASONS.values()


# --- properties -----------------------------------------------------------------------------

IDS = [UUID(int=n) for n in range(1, 13)]
ON_CALL_PERIODS = [(), ((NIGHT - timedelta(hours=1), NIGHT + timedelta(hours=1)),)]
ON_CALL_PERIODS += [((DAY - timedelta(hours=1), DAY + timedelta(hours=1)),)]


# Most engineers pass most filters, so that crews get chosen as often as refused.
SKILL_SETS = [{"network"}, {"network", "host"}, {"network", "host"}, {"host"}, set()]
REGION_SETS = [{"north"}, {"north", "south"}, {"north", "south"}, {"south"}, set()]


@st.composite
def engineers(draw):
    ids = draw(st.lists(st.sampled_from(IDS), unique=True, max_size=len(IDS)))
    return [
        Engineer(
            id=id_,
            name=f"E{id_.int}",
            skills=frozenset(draw(st.sampled_from(SKILL_SETS))),
            team=draw(st.sampled_from(Team)),
            seniority=draw(st.sampled_from(Seniority)),
            regions=frozenset(draw(st.sampled_from(REGION_SETS))),
            shift=draw(st.sampled_from([OFFICE, ALWAYS, ALWAYS, EVENINGS])),
            capacity=draw(st.integers(1, 4)),
            load=draw(st.integers(0, 4)),
            on_call=draw(st.sampled_from(ON_CALL_PERIODS)),
            active=draw(st.sampled_from([True, True, True, False])),
            position=draw(st.sampled_from([None, NEAR, MIDDLE, FAR])),
        )
        for id_ in ids
    ]


@st.composite
def jobs(draw):
    return Job(
        ticket_id=uuid4(),
        priority=draw(st.sampled_from(["P1", "P1", "P2", "P3", "P4"])),
        skill=draw(st.sampled_from(["network", "host", "other"])),
        at=draw(st.sampled_from([DAY, NIGHT, SATURDAY])),
        business_calendar=OFFICE,
        region=draw(st.sampled_from([None, "north", "south"])),
        site=draw(st.sampled_from([None, SITE])),
        coverage=draw(st.sampled_from([None, *Coverage])),
        onsite_minutes=draw(st.sampled_from([None, 30, 120])),
        resident_engineer_id=draw(st.sampled_from([None, *IDS[:4]])),
        excluded={i: Exclusion.declined for i in draw(st.sets(st.sampled_from(IDS), max_size=3))},
    )


def could_take(e: Engineer, j: Job) -> bool:
    on_call_counts = j.coverage is Coverage.around_the_clock or (
        j.priority in ("P1", "P2") and not is_working(j.business_calendar, j.at)
    )
    on_call = any(a <= j.at < b for a, b in e.on_call)
    return (
        (j.skill == "other" or j.skill in e.skills)
        and e.active
        and e.load < e.capacity
        and (j.region is None or j.region in e.regions or e.team is Team.mobile_pool)
        and (is_working(e.shift, j.at) or (on_call and on_call_counts))
        and e.id not in j.excluded
    )


def documented_order(score, priority, engineer_id):
    return (
        not score.resident,
        score.within_onsite_terms is not True,
        score.load,
        score.load / score.capacity,
        priority in ("P1", "P2") and score.seniority is Seniority.maintainer,
        math.inf if score.travel_minutes is None else score.travel_minutes,
        engineer_id,
    )


@settings(max_examples=300, deadline=None)
@given(engineers(), jobs(), st.sampled_from(Want))
def test_the_chosen_are_eligible_and_no_eligible_engineer_of_their_kind_outranks_them(
    people, j, want
):
    decision = decide(j, people, want=want)
    by_id = {e.id: e for e in people}
    assert {v.engineer_id for v in decision.candidates if v.eligible} == {
        e.id for e in people if could_take(e, j)
    }
    ranked = [v for v in decision.candidates if v.eligible]
    assert [v.rank for v in ranked] == list(range(1, len(ranked) + 1))
    keys = [documented_order(v.score, j.priority, v.engineer_id) for v in ranked]
    assert keys == sorted(keys)

    def best(fits):
        return next((v.engineer_id for v in ranked if fits(by_id[v.engineer_id])), None)

    chosen = dict((c.role, c.engineer_id) for c in decision.chosen)
    assert len(chosen) == len(decision.chosen)
    assert all(decision.verdict(i).eligible for i in chosen.values())
    assert (decision.reason is None) == bool(decision.chosen)
    if not ranked:
        assert decision.reason in REASONS.values()
    elif want is Want.support:
        assert chosen.get(Role.support) == best(lambda e: e.seniority is Seniority.maintainer)
    elif want is Want.expert_support:
        assert chosen.get(Role.support) == best(lambda e: e.team is Team.expert_centre)
    elif want is Want.one or j.priority != "P1":
        assert chosen == {Role.lead: ranked[0].engineer_id}
    else:
        senior_expert = best(
            lambda e: e.seniority is Seniority.senior and e.team is Team.expert_centre
        )
        assert chosen[Role.lead] == (senior_expert or ranked[0].engineer_id)
        assert chosen.get(Role.support) == best(
            lambda e: e.seniority is Seniority.maintainer and e.id != chosen[Role.lead]
        )
