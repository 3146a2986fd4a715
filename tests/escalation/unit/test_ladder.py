"""The escalation ladder (ES-3, ES-4, ES-5): how it climbs, what holds it, who may hold it."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.escalation.ladder.rules import (
    ROLES,
    TOP,
    Acknowledged,
    AlreadyAcknowledged,
    Breached,
    EntryKind,
    InvalidLevel,
    InvalidStepLimits,
    Ladder,
    LadderAtRest,
    LevelNotReached,
    LevelPassed,
    Milestone,
    NotLevelContact,
    Reached,
    Reopened,
    Step,
    Stopped,
    Terms,
    Tick,
    Unassigned,
    acknowledge,
    apply,
    breach,
    catch_up,
    next_fire_at,
    overdue,
    reach,
    replay,
    terms_for,
    unassigned,
)
from shared.businesstime import add, calendar
from shared.errors import Conflict, DomainError, Forbidden
from shared.events.base import parse_event
from shared.events.escalation import EscalationAcknowledged, EscalationRaised
from shared.events.intake import LadderContact

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
ALWAYS = calendar("24x7")
CN = calendar("cn-5x8")
SHANGHAI = ZoneInfo("Asia/Shanghai")
TICKET = UUID("6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11")
LIMITS = {
    Step.assigned_to_accepted: 1 * H,
    Step.accepted_to_on_site: 2 * H,
    Step.on_site_to_resolved: 4 * H,
}
LEAD = LadderContact(level=1, name="Li Na", email="li.na@example.com", phone="+86 21 5555 0111")
DEPUTY = LadderContact(level=1, name="Chen Jie", email="Chen.Jie@Example.com")
TECH = LadderContact(level=2, name="Zhao Lei", email="zl@example.com")
# Level 3 and 4 are left to the defaults: the roles, nobody named.
TERMS = terms_for(ALWAYS, LIMITS, [LEAD, DEPUTY, TECH])


def assigned(at=T0, terms=TERMS):
    return reach(Ladder(TICKET), Milestone.assigned, at, terms)


def run(*facts, terms=TERMS):
    return replay(TICKET, facts, terms)


def raised_levels(events):
    return [(e.level, e.reason, e.at) for e in events if isinstance(e, EscalationRaised)]


# --- climbing -------------------------------------------------------------------------------


def test_the_ladder_climbs_one_level_per_limit_when_nobody_acts_and_stops_at_the_top():
    ladder, events = run(Reached(Milestone.assigned, T0), Tick(T0 + 10 * H))
    assert raised_levels(events) == [
        (1, "step_limit", T0 + 1 * H),
        (2, "step_limit", T0 + 2 * H),
        (3, "step_limit", T0 + 3 * H),
        (4, "step_limit", T0 + 4 * H),
    ]
    assert ladder.level == TOP
    assert next_fire_at(ladder) is None
    assert catch_up(ladder, T0 + 100 * H, TERMS) == (ladder, [])


def test_each_raise_names_the_step_and_who_must_act_at_the_new_level():
    _, events = run(Reached(Milestone.assigned, T0), Tick(T0 + 3 * H))
    assert [e.step for e in events] == ["assigned_to_accepted"] * 3
    assert events[0].contact == {
        "level": 1,
        "role": "support team lead",
        "name": "Li Na",
        "email": "li.na@example.com",
        "phone": "+86 21 5555 0111",
    }
    assert events[1].contact["name"] == "Zhao Lei"


def test_a_level_the_contract_is_silent_on_is_held_by_its_role_alone():
    _, events = run(Reached(Milestone.assigned, T0), Tick(T0 + 4 * H))
    assert [e.contact for e in events[2:]] == [
        {"level": 3, "role": "project manager", "name": None, "email": None, "phone": None},
        {"level": 4, "role": "project director", "name": None, "email": None, "phone": None},
    ]


def test_the_roles_are_the_seeds_four_levels():
    assert dict(ROLES) == {
        1: "support team lead",
        2: "department technical lead",
        3: "project manager",
        4: "project director",
    }


def test_a_raise_starts_the_new_levels_limit_on_the_same_step_from_when_the_old_one_ran_out():
    ladder, _ = catch_up(assigned(), T0 + 1 * H, TERMS)
    assert ladder.level == 1
    assert ladder.step is Step.assigned_to_accepted
    assert ladder.step_started_at == T0
    assert ladder.step_due_at == next_fire_at(ladder) == T0 + 2 * H


def test_nothing_is_overdue_before_the_limit_runs_out_and_the_limit_is_used_up_at_its_end():
    ladder = assigned()
    assert overdue(ladder, T0 + 1 * H - timedelta(microseconds=1)) is None
    due = overdue(ladder, T0 + 1 * H)
    assert due is not None and (due.to_level, due.reason, due.at) == (1, "step_limit", T0 + H)


def test_a_late_timer_raises_the_same_levels_at_the_same_instants_as_a_punctual_one():
    punctual = assigned()
    for minute in range(0, 5 * 60 + 1, 7):
        punctual, _ = catch_up(punctual, T0 + timedelta(minutes=minute), TERMS)
    late, _ = catch_up(assigned(), T0 + 30 * H, TERMS)
    assert late == catch_up(punctual, T0 + 30 * H, TERMS)[0]


def test_the_step_limits_count_on_the_contracts_calendar():
    # Friday 16:30 in Shanghai, a one-working-day (9 h) limit on cn-5x8: due Monday 16:30.
    friday = datetime(2026, 11, 27, 16, 30, tzinfo=SHANGHAI)
    terms = terms_for(CN, {step: timedelta(hours=9) for step in Step}, [LEAD])
    ladder = assigned(friday, terms)
    assert ladder.step_due_at == datetime(2026, 11, 30, 16, 30, tzinfo=SHANGHAI)
    ladder, events = catch_up(ladder, datetime(2026, 11, 30, 16, 29, tzinfo=SHANGHAI), terms)
    assert events == [] and ladder.level == 0


# --- steps done -----------------------------------------------------------------------------


def test_a_step_done_in_time_stops_the_climb_and_the_next_step_starts_its_own_limit():
    ladder, events = run(
        Reached(Milestone.assigned, T0),
        Reached(Milestone.accepted, T0 + timedelta(minutes=50)),
        Tick(T0 + 2 * H),
    )
    assert events == []
    assert ladder.level == 0
    assert ladder.step is Step.accepted_to_on_site
    assert ladder.step_due_at == T0 + timedelta(minutes=50) + 2 * H


def test_a_step_done_keeps_the_level_the_ticket_has_reached_and_a_late_next_step_climbs_from_it():
    ladder, events = run(
        Reached(Milestone.assigned, T0),
        Tick(T0 + 2 * H),  # level 2: the team lead and the technical lead were told
        Reached(Milestone.accepted, T0 + 2 * H + timedelta(minutes=10)),
        Tick(T0 + 4 * H + timedelta(minutes=9)),
    )
    assert ladder.level == 2 and ladder.step is Step.accepted_to_on_site
    _, later = apply(ladder, Tick(T0 + 4 * H + timedelta(minutes=10)), TERMS)
    assert raised_levels(later) == [(3, "step_limit", T0 + 4 * H + timedelta(minutes=10))]
    assert later[0].step == "accepted_to_on_site"


def test_a_step_done_before_its_limit_stops_the_climb_even_when_the_news_arrives_after_it():
    # The phone accepted at 09:55 and uploaded at 10:30, before any timer looked.
    ladder, events = run(
        Reached(Milestone.assigned, T0), Reached(Milestone.accepted, T0 + timedelta(minutes=55))
    )
    assert events == [] and ladder.level == 0


def test_a_raise_already_made_stands_when_the_step_turns_out_to_have_been_done_in_time():
    ladder, events = run(
        Reached(Milestone.assigned, T0),
        Tick(T0 + 1 * H),
        Reached(Milestone.accepted, T0 + timedelta(minutes=55)),
    )
    assert ladder.level == 1 and len(events) == 1
    assert ladder.step is Step.accepted_to_on_site


def test_the_history_reads_as_the_handling_went():
    ladder, _ = run(
        Reached(Milestone.assigned, T0),
        Tick(T0 + 1 * H),
        Acknowledged(by="li.na@example.com", at=T0 + 1 * H + timedelta(minutes=5)),
        Reached(Milestone.accepted, T0 + 1 * H + timedelta(minutes=20)),
    )
    assert [(e.kind, e.level, e.step) for e in ladder.history] == [
        (EntryKind.step_started, 0, Step.assigned_to_accepted),
        (EntryKind.raised, 1, Step.assigned_to_accepted),
        (EntryKind.acknowledged, 1, Step.assigned_to_accepted),
        (EntryKind.step_done, 1, Step.assigned_to_accepted),
        (EntryKind.step_started, 1, Step.accepted_to_on_site),
    ]
    assert ladder.history[1].reason == "step_limit"
    assert ladder.history[2].by == "li.na@example.com"


def test_a_redelivered_or_late_milestone_changes_nothing():
    on_site, _ = run(
        Reached(Milestone.assigned, T0),
        Reached(Milestone.accepted, T0 + timedelta(minutes=10)),
        Reached(Milestone.on_site, T0 + 1 * H),
    )
    for fact in (
        Reached(Milestone.on_site, T0 + 1 * H),
        Reached(Milestone.accepted, T0 + timedelta(minutes=12)),
        Reached(Milestone.assigned, T0 + timedelta(minutes=5)),
    ):
        assert apply(on_site, fact, TERMS) == (on_site, [])


def test_a_second_engineer_assigned_while_the_first_step_runs_buys_no_time():
    ladder = assigned()
    again = reach(ladder, Milestone.assigned, T0 + timedelta(minutes=30), TERMS)
    assert again == ladder and again.step_due_at == T0 + 1 * H


def test_a_new_assignment_after_the_accepting_engineer_dropped_out_starts_the_first_step_again():
    ladder, _ = run(
        Reached(Milestone.assigned, T0), Reached(Milestone.accepted, T0 + timedelta(minutes=10))
    )
    again = reach(ladder, Milestone.assigned, T0 + 1 * H, TERMS)
    assert again.step is Step.assigned_to_accepted and again.step_due_at == T0 + 2 * H


def test_a_ticket_resolved_straight_from_assignment_ends_its_running_step():
    ladder, _ = run(Reached(Milestone.assigned, T0), Reached(Milestone.resolved, T0 + H / 2))
    assert ladder.at_rest and ladder.step is None and next_fire_at(ladder) is None
    assert ladder.history[-1].kind is EntryKind.step_done


def test_a_resolved_ticket_rests_and_a_reopen_runs_the_last_step_again_at_the_level_reached():
    resolved, events = run(
        Reached(Milestone.assigned, T0),
        Tick(T0 + 1 * H),
        Reached(Milestone.accepted, T0 + 1 * H + timedelta(minutes=10)),
        Reached(Milestone.on_site, T0 + 2 * H),
        Reached(Milestone.resolved, T0 + 3 * H),
        Tick(T0 + 100 * H),
    )
    assert len(events) == 1 and resolved.level == 1 and next_fire_at(resolved) is None
    reopened, _ = apply(resolved, Reopened(T0 + 200 * H), TERMS)
    assert reopened.level == 1 and reopened.step is Step.on_site_to_resolved
    assert next_fire_at(reopened) == T0 + 204 * H
    assert [e.kind for e in reopened.history[-2:]] == [EntryKind.reopened, EntryKind.step_started]


def test_a_cancelled_or_closed_ticket_rests_for_good():
    ladder, events = run(
        Reached(Milestone.assigned, T0),
        Stopped(T0 + H / 2),
        Tick(T0 + 10 * H),
        Breached(uuid4(), T0 + 2 * H),
        Unassigned(T0 + 3 * H),
        Reached(Milestone.accepted, T0 + 4 * H),
        Reopened(T0 + 5 * H),
    )
    assert events == [] and ladder.level == 0 and next_fire_at(ladder) is None
    assert ladder.stopped_at == T0 + H / 2 and ladder.step is None


# --- breaches and the unassigned ------------------------------------------------------------


def test_a_clock_breach_raises_one_level_and_restarts_the_steps_limit_from_the_breach():
    clock = uuid4()
    ladder, events = run(
        Reached(Milestone.assigned, T0), Breached(clock, T0 + timedelta(minutes=30))
    )
    assert raised_levels(events) == [(1, "breach", T0 + timedelta(minutes=30))]
    assert ladder.step_due_at == T0 + timedelta(minutes=90)
    assert ladder.history[-1].clock_id == clock


def test_the_same_clocks_breach_climbs_once():
    clock = uuid4()
    ladder, _ = breach(assigned(), clock, T0 + timedelta(minutes=30), TERMS)
    again, event = breach(ladder, clock, T0 + timedelta(minutes=31), TERMS)
    assert (again, event) == (ladder, None)


def test_each_clocks_breach_raises_a_level_of_its_own():
    ladder, events = run(
        Reached(Milestone.assigned, T0),
        Breached(uuid4(), T0 + timedelta(minutes=30)),
        Breached(uuid4(), T0 + timedelta(minutes=40)),
    )
    assert [e.level for e in events] == [1, 2]


def test_a_breach_and_a_step_limit_falling_due_together_climb_one_level_whichever_comes_first():
    # The breach 1 ms before the step's limit runs out: in time order it raises and restarts the
    # limit, so the limit's raise never comes. A timer that raises the limit first must end at
    # the same level, with the breach noted.
    clock, now = uuid4(), T0 + H + timedelta(minutes=1)
    breach_at = T0 + H - timedelta(milliseconds=1)
    in_order, by_order = run(Reached(Milestone.assigned, T0), Breached(clock, breach_at), Tick(now))
    limit_first, by_limit = run(
        Reached(Milestone.assigned, T0), Tick(now), Breached(clock, breach_at)
    )
    assert [e.level for e in by_order] == [e.level for e in by_limit] == [1]
    assert in_order.level == limit_first.level == 1
    assert limit_first.history[-1].kind is EntryKind.breach_noted


def test_a_breach_before_anyone_is_assigned_raises_with_no_step_to_time():
    ladder, events = run(Breached(uuid4(), T0 + timedelta(minutes=30)))
    assert raised_levels(events) == [(1, "breach", T0 + timedelta(minutes=30))]
    assert events[0].step is None and next_fire_at(ladder) is None


def test_a_breach_at_the_top_is_noted_and_raises_nothing():
    top, _ = catch_up(assigned(), T0 + 10 * H, TERMS)
    ladder, event = breach(top, uuid4(), T0 + 11 * H, TERMS)
    assert event is None and ladder.level == TOP
    assert ladder.history[-1].kind is EntryKind.breach_noted


def test_unassigned_raises_to_the_team_lead_at_once():
    ladder, events = run(Unassigned(T0))
    assert raised_levels(events) == [(1, "unassigned", T0)]
    assert events[0].contact["email"] == "li.na@example.com"
    assert ladder.level == 1


def test_unassigned_changes_nothing_once_the_ticket_is_at_level_one_or_above():
    ladder, _ = run(Reached(Milestone.assigned, T0), Tick(T0 + 2 * H))
    assert unassigned(ladder, T0 + 2 * H, TERMS) == (ladder, None)
    at_one, _ = run(Unassigned(T0))
    assert unassigned(at_one, T0 + H, TERMS) == (at_one, None)


def test_unassigned_while_a_step_runs_restarts_that_steps_limit_at_level_one():
    ladder, events = run(Reached(Milestone.assigned, T0), Unassigned(T0 + H / 2))
    assert events[0].step == "assigned_to_accepted"
    assert ladder.step_due_at == T0 + H / 2 + 1 * H


# --- acknowledgements -----------------------------------------------------------------------


def at_level(level):
    ladder, _ = catch_up(assigned(), T0 + level * H, TERMS)
    assert ladder.level == level
    return ladder


def test_an_acknowledgement_holds_the_ladder_for_one_limit_of_the_running_step():
    ladder = at_level(1)  # raised at 10:00; the level's limit ends at 11:00
    ack_at = T0 + 1 * H + timedelta(minutes=30)
    held, event = acknowledge(ladder, "li.na@example.com", ack_at, TERMS)
    assert event == EscalationAcknowledged(
        ticket_id=TICKET, level=1, by="li.na@example.com", at=ack_at, hold_until=ack_at + 1 * H
    )
    assert held.held_until == next_fire_at(held) == ack_at + 1 * H
    assert catch_up(held, ack_at + 1 * H - timedelta(seconds=1), TERMS)[1] == []
    _, events = catch_up(held, ack_at + 1 * H, TERMS)
    assert raised_levels(events) == [(2, "step_limit", ack_at + 1 * H)]


def test_the_hold_ends_on_the_contracts_calendar():
    terms = terms_for(CN, {step: timedelta(hours=9) for step in Step}, [LEAD])
    ladder, _ = replay(TICKET, [Unassigned(T0)], terms)
    friday = datetime(2026, 11, 27, 16, 30, tzinfo=SHANGHAI)
    held, event = acknowledge(ladder, "li.na@example.com", friday, terms)
    assert event.hold_until == add(CN, friday, timedelta(hours=9))
    assert event.hold_until == datetime(2026, 11, 30, 16, 30, tzinfo=SHANGHAI)


def test_a_breach_while_held_is_noted_and_raises_nothing():
    held, _ = acknowledge(at_level(1), "li.na@example.com", T0 + 1 * H, TERMS)
    ladder, event = breach(held, uuid4(), T0 + 1 * H + timedelta(minutes=20), TERMS)
    assert event is None and ladder.level == 1
    assert ladder.history[-1].kind is EntryKind.breach_noted


def test_a_hold_does_not_shorten_a_longer_limit_of_the_next_step():
    held, _ = acknowledge(at_level(1), "li.na@example.com", T0 + 1 * H, TERMS)
    ladder = reach(held, Milestone.accepted, T0 + 1 * H + timedelta(minutes=5), TERMS)
    # The hold ends at 11:00; the new step's limit (2 h) at 12:05: the ladder climbs then.
    assert next_fire_at(ladder) == T0 + 3 * H + timedelta(minutes=5)


def test_a_level_is_acknowledged_once():
    held, _ = acknowledge(at_level(1), "li.na@example.com", T0 + 1 * H, TERMS)
    with pytest.raises(AlreadyAcknowledged) as refused:
        acknowledge(held, "chen.jie@example.com", T0 + 1 * H + timedelta(minutes=1), TERMS)
    assert isinstance(refused.value, Conflict)
    assert refused.value.context["acknowledged_by"] == "li.na@example.com"


def test_the_next_level_may_acknowledge_after_the_hold_runs_out():
    held, _ = acknowledge(at_level(1), "li.na@example.com", T0 + 1 * H, TERMS)
    at_two, events = catch_up(held, T0 + 2 * H, TERMS)
    assert [e.level for e in events] == [2] and at_two.held_until is None
    _, event = acknowledge(at_two, "zl@example.com", T0 + 2 * H, TERMS)
    assert event.level == 2 and at_two.acked_levels == {1}


def test_any_of_the_levels_contacts_may_acknowledge_whatever_the_case_of_their_address():
    _, event = acknowledge(at_level(1), "  chen.jie@EXAMPLE.com ", T0 + H, TERMS)
    assert event.level == 1


def test_someone_who_is_not_the_levels_contact_is_refused():
    ladder = at_level(2)
    for stranger, level in [
        ("mallory@example.com", None),
        ("", None),
        ("li.na@example.com", 2),  # the level below, asking for this one
    ]:
        with pytest.raises(NotLevelContact) as refused:
            acknowledge(ladder, stranger, T0 + 2 * H, TERMS, level=level)
        assert isinstance(refused.value, Forbidden)
        assert refused.value.context == {"level": 2, "role": "department technical lead"}


def test_a_lower_levels_contact_acknowledging_the_ticket_hears_it_has_climbed_past_them():
    with pytest.raises(LevelPassed) as refused:
        acknowledge(at_level(3), "li.na@example.com", T0 + 3 * H, TERMS)
    assert refused.value.context == {"level": 1, "current_level": 3}


def test_a_level_the_contract_names_nobody_for_is_acknowledged_by_an_admin():
    ladder = at_level(3)
    with pytest.raises(NotLevelContact):
        acknowledge(ladder, "zl@example.com", T0 + 3 * H, TERMS, level=3)
    _, event = acknowledge(ladder, "ops-admin", T0 + 3 * H, TERMS, is_admin=True)
    assert (event.level, event.by) == (3, "ops-admin")


def test_an_acknowledgement_above_the_level_reached_is_refused_even_by_that_levels_contact():
    with pytest.raises(LevelNotReached) as refused:
        acknowledge(at_level(1), "zl@example.com", T0 + H, TERMS, level=2)
    assert isinstance(refused.value, Conflict)
    assert refused.value.context == {"level": 2, "current_level": 1}


def test_nothing_is_acknowledged_before_the_ladder_has_climbed_at_all():
    with pytest.raises(LevelNotReached):
        acknowledge(assigned(), "li.na@example.com", T0, TERMS)
    with pytest.raises(LevelNotReached):
        acknowledge(assigned(), "li.na@example.com", T0, TERMS, level=1)


def test_a_level_the_ticket_has_climbed_past_can_no_longer_hold_it():
    with pytest.raises(LevelPassed) as refused:
        acknowledge(at_level(2), "li.na@example.com", T0 + 2 * H, TERMS, level=1)
    assert refused.value.context == {"level": 1, "current_level": 2}


def test_a_stranger_learns_nothing_about_the_tickets_level():
    with pytest.raises(NotLevelContact):
        acknowledge(at_level(1), "mallory@example.com", T0 + H, TERMS, level=2)


@pytest.mark.parametrize("level", [0, 5, -1])
def test_a_level_off_the_ladder_is_invalid(level):
    with pytest.raises(InvalidLevel) as refused:
        acknowledge(at_level(1), "li.na@example.com", T0 + H, TERMS, level=level)
    assert type(refused.value).__mro__[1] is DomainError


def test_a_resolved_or_cancelled_ticket_has_nothing_to_hold():
    resolved = reach(at_level(1), Milestone.resolved, T0 + H, TERMS)
    with pytest.raises(LadderAtRest):
        acknowledge(resolved, "li.na@example.com", T0 + H, TERMS)
    cancelled, _ = apply(at_level(1), Stopped(T0 + H), TERMS)
    with pytest.raises(LadderAtRest):
        acknowledge(cancelled, "li.na@example.com", T0 + H, TERMS)


def test_an_acknowledgement_that_comes_after_the_levels_limit_ran_out_finds_the_level_passed():
    # The timer had not fired yet; the ack at 11:05 is placed after the 11:00 raise to level 2.
    late = T0 + 2 * H + H / 12
    for level in (1, None):
        with pytest.raises(LevelPassed) as refused:
            apply(at_level(1), Acknowledged("li.na@example.com", late, level=level), TERMS)
        assert refused.value.context == {"level": 1, "current_level": 2}


def test_an_acknowledgement_by_the_unassigned_tickets_team_lead_holds_for_the_first_steps_limit():
    ladder, events = run(Unassigned(T0), Acknowledged("li.na@example.com", T0 + H / 4))
    assert events[-1].hold_until == T0 + H / 4 + LIMITS[Step.assigned_to_accepted]
    assigned_later = reach(ladder, Milestone.assigned, T0 + H / 2, TERMS)
    assert next_fire_at(assigned_later) == T0 + H / 2 + 1 * H


# --- terms and events -----------------------------------------------------------------------


def test_every_step_needs_a_positive_limit():
    with pytest.raises(InvalidStepLimits):
        Terms(ALWAYS, {Step.assigned_to_accepted: H})
    with pytest.raises(InvalidStepLimits):
        terms_for(ALWAYS, {**LIMITS, Step.on_site_to_resolved: timedelta(0)})


def test_contacts_for_levels_off_the_ladder_are_ignored():
    terms = terms_for(ALWAYS, LIMITS, [LEAD, LadderContact(level=7, name="x", email="x@e.com")])
    assert terms.contacts == (LEAD,)


def test_the_events_the_ladder_causes_are_valid_contract_events():
    _, events = run(
        Reached(Milestone.assigned, T0), Tick(T0 + H), Acknowledged("li.na@example.com", T0 + H)
    )
    for event in events:
        payload = event.model_dump(mode="json")
        assert parse_event(event.type, event.version, payload) == event


# --- properties -----------------------------------------------------------------------------

MINUTE = timedelta(minutes=1)
CLOCKS = [uuid4() for _ in range(3)]
ACKERS = ["li.na@example.com", "zl@example.com", "mallory@example.com"]


def facts():
    minute = st.integers(min_value=0, max_value=12 * 60).map(lambda m: T0 + m * MINUTE)
    return st.lists(
        st.one_of(
            st.builds(Reached, st.sampled_from(Milestone), minute),
            st.builds(Unassigned, minute),
            st.builds(Breached, st.sampled_from(CLOCKS), minute),
            st.builds(Reopened, minute),
            st.builds(Tick, minute),
            st.builds(Acknowledged, st.sampled_from(ACKERS), minute, st.none(), st.booleans()),
        ),
        max_size=25,
    )


def replay_tolerantly(sequence):
    """Refused acknowledgements change nothing, as a refused request writes nothing."""
    ladder, events = Ladder(TICKET), []
    for fact in sequence:
        try:
            ladder, caused = apply(ladder, fact, TERMS)
        except (Conflict, Forbidden):
            continue
        events.extend(caused)
    return ladder, events


@settings(max_examples=300, deadline=None)
@given(facts())
def test_the_ladder_climbs_one_level_at_a_time_never_down_and_never_past_the_top(sequence):
    ladder, events = replay_tolerantly(sequence)
    levels = [e.level for e in events if isinstance(e, EscalationRaised)]
    assert levels == list(range(1, len(levels) + 1))
    assert 0 <= ladder.level <= TOP and ladder.level == (levels[-1] if levels else 0)
    acked = [e.level for e in events if isinstance(e, EscalationAcknowledged)]
    assert len(acked) == len(set(acked)) and set(acked) <= set(range(1, ladder.level + 1))


@settings(max_examples=200, deadline=None)
@given(facts())
def test_the_same_facts_always_give_the_same_ladder(sequence):
    assert replay_tolerantly(sequence) == replay_tolerantly(sequence)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=8 * 60), max_size=20),
    st.integers(min_value=0, max_value=8 * 60),
)
def test_how_often_the_timer_looks_does_not_change_when_the_ladder_climbs(looks, end):
    ladder, events = assigned(), []
    for minute in sorted(m for m in looks if m <= end):
        ladder, caused = catch_up(ladder, T0 + minute * MINUTE, TERMS)
        events.extend(caused)
    ladder, caused = catch_up(ladder, T0 + end * MINUTE, TERMS)
    once = catch_up(assigned(), T0 + end * MINUTE, TERMS)
    assert (ladder, events + caused) == once


@pytest.mark.parametrize("before", list(Milestone))
@pytest.mark.parametrize("after", list(Milestone))
def test_every_pair_of_milestones_moves_forward_or_is_a_late_fact(before, after):
    start = reach(Ladder(TICKET), before, T0, TERMS)
    moved = reach(start, after, T0 + H, TERMS)
    order = list(Milestone)
    forward = order.index(after) > order.index(before)
    new_assignment = after is Milestone.assigned and before is not Milestone.resolved
    if forward or (new_assignment and before is not after):
        expected = {
            Milestone.assigned: Step.assigned_to_accepted,
            Milestone.accepted: Step.accepted_to_on_site,
            Milestone.on_site: Step.on_site_to_resolved,
            Milestone.resolved: None,
        }[after]
        assert (moved.milestone, moved.step) == (after, expected)
        assert moved.step_due_at == (None if expected is None else T0 + H + LIMITS[expected])
    else:
        assert moved == start
