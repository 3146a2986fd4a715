import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.escalation.clocks.clock import (
    BREACH,
    ClockError,
    Entry,
    EntryKind,
    InvalidEntry,
    NotStarted,
    Threshold,
    replay,
)
from shared.businesstime import between, calendar, china_holiday_year, is_working, weekly

SHANGHAI = ZoneInfo("Asia/Shanghai")
CN = calendar("cn-5x8")
ALWAYS = calendar("24x7")
# Split shifts and a short Saturday, in UTC so whole minutes line up with the oracle's.
SHIFTS = weekly(
    "UTC",
    {"mon-fri": ["09:00-12:00", "13:00-17:00"], "sat": ["10:00-12:00"]},
    name="shifts",
)
CALENDARS = {"cn-5x8": CN, "24x7": ALWAYS, "shifts": SHIFTS}


def calendars(name: str):
    return CALENDARS[name]


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def start(at, minutes, cal="cn-5x8", seq=0):
    return Entry(at, seq, EntryKind.start, target_minutes=minutes, calendar=cal, source="ticket")


def pause(at, reason, seq=0):
    return Entry(at, seq, EntryKind.pause, reason=reason)


def resume(at, reason, seq=0):
    return Entry(at, seq, EntryKind.resume, reason=reason)


def stop(at, seq=0, reason=""):
    return Entry(at, seq, EntryKind.stop, reason=reason)


def reopen(at, seq=0):
    return Entry(at, seq, EntryKind.reopen)


def retarget(at, minutes=None, cal=None, seq=0):
    return Entry(at, seq, EntryKind.retarget, target_minutes=minutes, calendar=cal)


def numbered(*entries: Entry) -> list[Entry]:
    """The log as it arrived: seq is the position."""
    return [replace(e, seq=n) for n, e in enumerate(entries)]


@pytest.fixture(scope="module", autouse=True)
def published_years_loaded():
    # China's schedule costs ~0.1 s a year to build: keep it out of hypothesis's deadline.
    for year in (2025, 2026, 2027):
        china_holiday_year(year)


# --- the seed's promises on real calendars ------------------------------------------------

FRIDAY_1630 = sh(2026, 11, 27, 16, 30)


def test_a_p3_reported_friday_1630_on_5x8_is_due_monday_1130():
    # 4 business hours: 16:30-17:30 on Friday, 08:30-11:30 on Monday.
    state = replay([start(FRIDAY_1630, 240)], calendars, now=sh(2026, 11, 28, 12, 0))
    assert state.due_at == sh(2026, 11, 30, 11, 30)
    assert state.used_minutes == 60
    assert state.running and not state.breached
    assert state.warning_at(0.5) == sh(2026, 11, 30, 9, 30)
    assert state.next_fire_at == sh(2026, 11, 30, 9, 30)


def test_the_weekend_counts_nothing_and_monday_morning_does():
    log = [start(FRIDAY_1630, 240)]
    assert replay(log, calendars, now=sh(2026, 11, 30, 8, 30)).used_minutes == 60
    assert replay(log, calendars, now=sh(2026, 11, 30, 9, 0)).used_minutes == 90


def test_a_p4_across_national_day_is_due_on_the_make_up_saturday():
    # 24 business hours from Wed 30 Sep 16:30: 1 h that day, 1-7 Oct off, 9 h on Thu 8 and
    # Fri 9 Oct, then Saturday 10 Oct is a working day (made up for the holiday): 5 h more.
    state = replay([start(sh(2026, 9, 30, 16, 30), 1440)], calendars)
    assert state.due_at == sh(2026, 10, 10, 13, 30)


def test_a_p3_across_national_day_waits_for_the_holiday_to_end():
    state = replay([start(sh(2026, 9, 30, 16, 30), 240)], calendars, now=sh(2026, 10, 5, 12, 0))
    assert state.due_at == sh(2026, 10, 8, 11, 30)
    assert state.used_minutes == 60 and not state.breached


def test_a_p1_on_24x7_is_due_one_hour_later_night_or_weekend():
    saturday_night = datetime(2026, 11, 28, 23, 10, tzinfo=SHANGHAI)
    log = [start(saturday_night, 60, "24x7")]
    state = replay(log, calendars, now=saturday_night + timedelta(minutes=59))
    assert state.due_at == saturday_night + timedelta(hours=1)
    assert [t.at for t in state.thresholds] == [
        saturday_night + timedelta(minutes=30),
        saturday_night + timedelta(minutes=48),
        saturday_night + timedelta(hours=1),
    ]
    assert not state.breached
    assert replay(log, calendars, now=saturday_night + timedelta(hours=1)).breached


# --- pauses -------------------------------------------------------------------------------

MONDAY = sh(2026, 11, 23, 9, 0)


def restore_awaiting_customer_and_a_part():
    """A P3 restore clock: the customer is away 10:00-12:00, a part is short 11:00-14:00."""
    return numbered(
        start(MONDAY, 240),
        pause(sh(2026, 11, 23, 10, 0), "awaiting_customer"),
        pause(sh(2026, 11, 23, 11, 0), "part_backordered:PSU-650W"),
        resume(sh(2026, 11, 23, 12, 0), "awaiting_customer"),
        resume(sh(2026, 11, 23, 14, 0), "part_backordered:PSU-650W"),
    )


def test_a_clock_paused_for_the_customer_and_a_part_counts_neither_pause():
    state = replay(restore_awaiting_customer_and_a_part(), calendars, now=sh(2026, 11, 23, 15))
    # 60 minutes before the first pause; 10:00-14:00 stood still; 180 more from 14:00.
    assert state.due_at == sh(2026, 11, 23, 17, 0)
    assert state.used_minutes == 120
    assert state.paused_minutes == 240
    assert state.pauses == ((sh(2026, 11, 23, 10, 0), sh(2026, 11, 23, 14, 0)),)
    assert state.running and not state.holds


def test_the_customer_returning_does_not_restart_a_clock_still_waiting_for_a_part():
    log = restore_awaiting_customer_and_a_part()[:4]  # the part has not arrived
    state = replay(log, calendars, now=sh(2026, 11, 23, 12, 30))
    assert state.paused
    assert state.holds == {"part_backordered:PSU-650W"}
    assert state.used_minutes == 60
    # Due as if it ran again now: 180 minutes from 12:30.
    assert state.due_at == sh(2026, 11, 23, 15, 30)
    assert state.next_fire_at is None


def test_a_paused_clocks_due_moves_on_while_the_pause_lasts():
    log = restore_awaiting_customer_and_a_part()[:4]
    later = replay(log, calendars, now=sh(2026, 11, 23, 16, 0))
    assert later.due_at == sh(2026, 11, 24, 10, 0)  # 90 min Monday, 90 min Tuesday morning


def test_a_resume_for_another_reason_does_not_lift_a_hold():
    log = numbered(start(MONDAY, 240), pause(sh(2026, 11, 23, 10), "awaiting_customer"))
    log += numbered(resume(sh(2026, 11, 23, 11), "part_backordered:X"))
    state = replay(log, calendars, now=sh(2026, 11, 23, 12))
    assert state.paused and state.used_minutes == 60


def test_each_backordered_part_holds_the_clock_until_it_arrives():
    log = numbered(
        start(MONDAY, 240),
        pause(sh(2026, 11, 23, 10), "part_backordered:A"),
        pause(sh(2026, 11, 23, 10, 30), "part_backordered:B"),
        resume(sh(2026, 11, 23, 11), "part_backordered:A"),
    )
    assert replay(log, calendars, now=sh(2026, 11, 23, 12)).paused
    log.append(Entry(sh(2026, 11, 23, 13), 9, EntryKind.resume, reason="part_backordered:B"))
    assert replay(log, calendars, now=sh(2026, 11, 23, 14)).used_minutes == 120


def test_a_late_pause_placed_before_a_resume_already_seen_still_counts():
    arrived = numbered(
        start(MONDAY, 240),
        resume(sh(2026, 11, 23, 12), "awaiting_customer"),
        pause(sh(2026, 11, 23, 10), "awaiting_customer"),  # told later than its end
    )
    state = replay(arrived, calendars, now=sh(2026, 11, 23, 13))
    assert state.used_minutes == 120
    assert state.due_at == sh(2026, 11, 23, 15, 0)


def test_a_warning_crossed_before_a_pause_is_still_owed_while_paused():
    log = numbered(start(MONDAY, 240), pause(sh(2026, 11, 23, 11, 30), "awaiting_customer"))
    state = replay(log, calendars, now=sh(2026, 11, 23, 12))
    assert state.pending == (Threshold(0.5, sh(2026, 11, 23, 11, 0)),)
    assert state.next_fire_at == sh(2026, 11, 23, 11, 0)
    assert replay(log, calendars, now=sh(2026, 11, 23, 12), sent={0.5}).next_fire_at is None


# --- reclassification and other retargets -------------------------------------------------


def test_a_p3_reclassified_p1_is_recomputed_by_replay_and_may_be_breached_already():
    # A P3 reported Friday 16:30 on 5x8 (due Monday 11:30) is found to be an outage at 17:10;
    # the contract has emergency 7x24 cover, so the P1 hour runs around the clock from 16:30.
    log = numbered(start(FRIDAY_1630, 240), retarget(sh(2026, 11, 27, 17, 10), 60, "24x7"))
    at_1720 = replay(log, calendars, now=sh(2026, 11, 27, 17, 20))
    assert at_1720.due_at == sh(2026, 11, 27, 17, 30)
    assert (at_1720.target_minutes, at_1720.calendar) == (60, "24x7")
    assert not at_1720.breached
    at_1800 = replay(log, calendars, now=sh(2026, 11, 27, 18, 0))
    assert at_1800.breached and at_1800.used_minutes == 90


def test_a_reclassification_without_a_new_calendar_keeps_the_old_one():
    log = numbered(start(FRIDAY_1630, 240), retarget(sh(2026, 11, 27, 17, 10), 60))
    state = replay(log, calendars, now=sh(2026, 11, 27, 17, 20))
    # On 5x8 the hour is used up at Friday's closing.
    assert state.calendar == "cn-5x8"
    assert state.due_at == sh(2026, 11, 27, 17, 30)


def test_the_latest_retarget_wins_whatever_order_they_arrived_in():
    p3_to_p1 = retarget(sh(2026, 11, 27, 17, 10), 60, "24x7")
    p1_to_p2 = retarget(sh(2026, 11, 27, 17, 15), 120)
    for log in (
        numbered(start(FRIDAY_1630, 240), p3_to_p1, p1_to_p2),
        numbered(start(FRIDAY_1630, 240), p1_to_p2, p3_to_p1),
    ):
        state = replay(log, calendars)
        assert (state.target_minutes, state.calendar) == (120, "24x7")
        assert state.due_at == sh(2026, 11, 27, 18, 30)


def test_a_changed_calendar_definition_recomputes_the_same_log():
    log = [start(FRIDAY_1630, 240)]
    saturdays = weekly("Asia/Shanghai", {"mon-sat": ["08:30-17:30"]}, name="cn-5x8")
    state = replay(log, {"cn-5x8": saturdays}.__getitem__)
    assert state.due_at == sh(2026, 11, 28, 11, 30)


# --- stops and reopens --------------------------------------------------------------------


def test_a_clock_stopped_before_its_due_is_met_and_fires_nothing_more():
    log = numbered(start(MONDAY, 240), stop(sh(2026, 11, 23, 11)))
    state = replay(log, calendars, now=sh(2026, 11, 24, 9))
    assert state.stopped and state.met_at == sh(2026, 11, 23, 11)
    assert not state.breached and state.used_minutes == 120
    assert state.as_of == sh(2026, 11, 23, 11)
    assert state.next_fire_at is None


def test_a_stop_at_the_due_instant_keeps_the_promise():
    log = numbered(start(MONDAY, 240), stop(sh(2026, 11, 23, 13)))
    state = replay(log, calendars)
    assert state.met_at == state.due_at == sh(2026, 11, 23, 13)
    assert not state.breached


def test_a_running_clock_is_breached_from_its_due_instant_on():
    log = [start(MONDAY, 240)]
    assert not replay(log, calendars, now=sh(2026, 11, 23, 12, 59, 59)).breached
    assert replay(log, calendars, now=sh(2026, 11, 23, 13)).breached


def test_a_clock_stopped_after_its_due_is_breached_and_owes_its_breach_until_sent():
    log = numbered(start(MONDAY, 240), stop(sh(2026, 11, 23, 14)))
    state = replay(log, calendars)
    assert state.breached and state.met_at is None
    assert state.pending == (Threshold(BREACH, sh(2026, 11, 23, 13)),)
    assert replay(log, calendars, sent={BREACH}).pending == ()


def test_a_reopened_restore_clock_counts_again_from_the_reopening():
    log = numbered(
        start(MONDAY, 240),
        stop(sh(2026, 11, 23, 10)),  # resolved after 60 minutes
        reopen(sh(2026, 11, 24, 9)),  # the fault is back on Tuesday
    )
    state = replay(log, calendars, now=sh(2026, 11, 24, 10))
    assert state.running and state.stopped_at is None and state.met_at is None
    assert state.used_minutes == 120
    assert state.due_at == sh(2026, 11, 24, 12, 0)


def test_a_stop_ends_every_hold_and_a_reopened_clock_is_not_paused_by_them():
    log = numbered(
        start(MONDAY, 240),
        pause(sh(2026, 11, 23, 10), "awaiting_customer"),
        stop(sh(2026, 11, 23, 11)),
        reopen(sh(2026, 11, 23, 12)),
        resume(sh(2026, 11, 23, 13), "awaiting_customer"),  # a hold no longer on: ignored
    )
    state = replay(log, calendars, now=sh(2026, 11, 23, 14))
    assert state.running and state.used_minutes == 60 + 120


# --- impossible and repeated entries ------------------------------------------------------


def test_impossible_moves_are_ignored():
    log = numbered(
        start(MONDAY, 240),
        resume(sh(2026, 11, 23, 9, 30), "awaiting_customer"),  # nothing held
        reopen(sh(2026, 11, 23, 9, 40)),  # not stopped
        start(sh(2026, 11, 23, 9, 45), 60, "24x7"),  # a second start
        stop(sh(2026, 11, 23, 10)),
        pause(sh(2026, 11, 23, 10, 10), "awaiting_customer"),  # stopped
        stop(sh(2026, 11, 23, 10, 20)),  # stopped twice: the first stop stands
    )
    state = replay(log, calendars)
    assert (state.target_minutes, state.calendar) == (240, "cn-5x8")
    assert state.stopped_at == sh(2026, 11, 23, 10)
    assert state.used_minutes == 60 and not state.holds


def test_the_same_fact_told_twice_counts_once():
    once = numbered(
        start(MONDAY, 240),
        stop(sh(2026, 11, 23, 10)),
        reopen(sh(2026, 11, 23, 10)),
    )
    redelivered = [*once, replace(once[1], seq=7)]  # the stop again, arriving last
    assert replay(redelivered, calendars) == replay(once, calendars)
    assert replay(once, calendars).running


def test_an_entry_before_the_start_counts_as_at_the_start():
    # The engineer's phone runs two minutes behind the call centre.
    log = numbered(start(MONDAY, 30), stop(MONDAY - timedelta(minutes=2)))
    state = replay(log, calendars)
    assert state.met_at == MONDAY and state.used_minutes == 0


def test_a_log_without_a_start_is_refused():
    with pytest.raises(NotStarted):
        replay([stop(MONDAY)], calendars)


def test_without_now_a_running_clock_is_counted_to_its_latest_entry():
    log = numbered(
        start(MONDAY, 240), pause(sh(2026, 11, 23, 10), "x"), resume(sh(2026, 11, 23, 11), "x")
    )
    state = replay(log, calendars)
    assert state.as_of == sh(2026, 11, 23, 11) and state.used_minutes == 60


def test_instants_come_back_in_utc():
    state = replay([start(FRIDAY_1630, 240)], calendars)
    assert state.started_at.tzinfo is UTC and state.due_at.tzinfo is UTC
    assert state.due_at == datetime(2026, 11, 30, 3, 30, tzinfo=UTC)


# --- thresholds and the timer -------------------------------------------------------------


def test_the_next_fire_is_the_earliest_threshold_not_yet_announced():
    log = [start(MONDAY, 240)]
    assert replay(log, calendars).next_fire_at == sh(2026, 11, 23, 11)
    assert replay(log, calendars, sent={0.5}).next_fire_at == sh(2026, 11, 23, 12, 12)
    assert replay(log, calendars, sent={0.5, 0.8}).next_fire_at == sh(2026, 11, 23, 13)
    assert replay(log, calendars, sent={0.5, 0.8, BREACH}).next_fire_at is None


def test_a_timer_late_by_hours_announces_the_highest_threshold_passed_only():
    state = replay([start(MONDAY, 240)], calendars, now=sh(2026, 11, 23, 15))
    assert state.reached(sh(2026, 11, 23, 15)) == (Threshold(BREACH, sh(2026, 11, 23, 13)),)
    at_noon = replay([start(MONDAY, 240)], calendars, now=sh(2026, 11, 23, 12, 30))
    assert at_noon.reached(sh(2026, 11, 23, 12, 30)) == (Threshold(0.8, sh(2026, 11, 23, 12, 12)),)
    assert [t.fraction for t in at_noon.pending] == [0.8, BREACH]


def test_a_clock_reclassified_into_breach_announces_the_breach_without_its_warnings():
    log = numbered(start(FRIDAY_1630, 240), retarget(sh(2026, 11, 27, 17, 40), 60, "24x7"))
    state = replay(log, calendars, now=sh(2026, 11, 27, 17, 40), sent={0.5})
    assert state.breached
    assert state.pending == (Threshold(BREACH, sh(2026, 11, 27, 17, 30)),)


def test_warning_fractions_are_configurable():
    state = replay([start(MONDAY, 100, "24x7")], calendars, warnings=(0.9, 0.25))
    assert [t.fraction for t in state.thresholds] == [0.25, 0.9, BREACH]
    assert state.thresholds[0].at == MONDAY + timedelta(minutes=25)


def test_sent_fractions_match_however_they_were_stored():
    state = replay([start(MONDAY, 240)], calendars, sent={0.5000000000000001, 0.8})
    assert [t.fraction for t in state.pending] == [BREACH]


@pytest.mark.parametrize("warnings", [(0.0,), (1.0,), (0.5, 1.2), (-0.1,)])
def test_warnings_outside_the_target_are_refused(warnings):
    with pytest.raises(ClockError):
        replay([start(MONDAY, 240)], calendars, warnings=warnings)


def test_any_fraction_of_the_target_has_its_instant():
    state = replay(restore_awaiting_customer_and_a_part(), calendars)
    assert state.warning_at(0) == MONDAY
    assert state.warning_at(0.25) == sh(2026, 11, 23, 10, 0)
    assert state.warning_at(0.5) == sh(2026, 11, 23, 15, 0)
    with pytest.raises(ClockError):
        state.warning_at(1.5)


# --- entries ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"kind": "start", "calendar": "24x7"}, "kind"),
        ({"kind": "start", "target_minutes": 30}, "kind"),
        ({"kind": "retarget"}, "kind"),
        ({"kind": "retarget", "target_minutes": 0}, "target"),
        ({"kind": "retarget", "target_minutes": 1.5}, "target"),
        ({"kind": "retarget", "calendar": ""}, "calendar"),
        ({"kind": "lunch"}, "kind"),
        ({"kind": "stop", "at": datetime(2026, 11, 23, 9)}, "at"),
        ({"kind": "stop", "seq": "1"}, "seq"),
    ],
)
def test_an_entry_that_says_nothing_possible_is_refused(fields, where):
    with pytest.raises(InvalidEntry) as refused:
        Entry(**{"at": MONDAY, "seq": 0, **fields})
    assert refused.value.context["field"] == where


def test_an_entry_kind_read_from_a_row_becomes_the_enum():
    assert Entry(MONDAY, 0, "stop").kind is EntryKind.stop


# --- properties ---------------------------------------------------------------------------

BASE = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)  # a Friday: weekends and shifts in range
PROPERTIES = settings(
    max_examples=150,
    deadline=timedelta(milliseconds=500),
    suppress_health_check=[HealthCheck.too_slow],
)


def minute(n: int) -> datetime:
    return BASE + timedelta(minutes=n)


cal_names = st.sampled_from(sorted(CALENDARS))
moves = st.one_of(
    st.builds(
        lambda m, r: Entry(minute(m), 0, EntryKind.pause, reason=r),
        st.integers(0, 4000),
        st.sampled_from("ab"),
    ),
    st.builds(
        lambda m, r: Entry(minute(m), 0, EntryKind.resume, reason=r),
        st.integers(0, 4000),
        st.sampled_from("ab"),
    ),
    st.builds(lambda m: Entry(minute(m), 0, EntryKind.stop), st.integers(0, 4000)),
    st.builds(lambda m: Entry(minute(m), 0, EntryKind.reopen), st.integers(0, 4000)),
    st.builds(
        lambda m, t, c: Entry(minute(m), 0, EntryKind.retarget, target_minutes=t, calendar=c),
        st.integers(0, 4000),
        st.integers(1, 600),
        st.one_of(st.none(), cal_names),
    ),
)


@st.composite
def logs(draw):
    opening = Entry(
        minute(draw(st.integers(0, 1500))),
        0,
        EntryKind.start,
        target_minutes=draw(st.integers(1, 600)),
        calendar=draw(cal_names),
    )
    rest = draw(st.lists(moves, max_size=8))
    return numbered(opening, *rest)


nows = st.one_of(st.none(), st.integers(0, 5000).map(minute))


@PROPERTIES
@given(log=logs(), now=nows, seed=st.randoms(use_true_random=False))
def test_the_same_entries_in_any_arrival_order_give_the_same_state(log, now, seed):
    shuffled = list(log)
    seed.shuffle(shuffled)
    assert replay(shuffled, calendars, now) == replay(log, calendars, now)


@PROPERTIES
@given(log=logs(), now=nows)
def test_used_minutes_never_exceed_the_business_minutes_elapsed(log, now):
    state = replay(log, calendars, now)
    elapsed = between(calendars(state.calendar), state.started_at, state.as_of)
    assert 0 <= state.used_minutes <= elapsed + 1e-9
    assert state.used_minutes + state.paused_minutes == pytest.approx(elapsed)


@PROPERTIES
@given(log=logs(), now=nows, a=st.integers(0, 4000), length=st.integers(0, 900))
def test_adding_a_pause_never_makes_the_due_earlier(log, now, a, length):
    paused = [
        *log,
        Entry(minute(a), 100, EntryKind.pause, reason="z"),
        Entry(minute(a + length), 101, EntryKind.resume, reason="z"),
    ]
    before, after = replay(log, calendars, now), replay(paused, calendars, now)
    assert after.due_at >= before.due_at
    assert after.used_minutes <= before.used_minutes + 1e-9 or now is None


@PROPERTIES
@given(log=logs(), now=nows, more=st.integers(0, 600))
def test_a_retarget_to_a_larger_target_never_makes_the_due_earlier(log, now, more):
    before = replay(log, calendars, now)
    last = max(e.at for e in log) + timedelta(minutes=1)
    larger = [
        *log,
        Entry(last, 100, EntryKind.retarget, target_minutes=before.target_minutes + more),
    ]
    after = replay(larger, calendars, now or last)
    assert after.due_at >= replay(log, calendars, now or last).due_at


@PROPERTIES
@given(log=logs(), now=nows)
def test_replay_is_idempotent_with_duplicated_entries(log, now):
    once = replay(log, calendars, now)
    assert replay(log + log, calendars, now) == once
    assert replay(log + [replace(e, seq=e.seq + 50) for e in log], calendars, now) == once


@PROPERTIES
@given(log=logs(), now=nows)
def test_the_breach_and_the_due_agree(log, now):
    state = replay(log, calendars, now)
    if state.stopped:
        assert state.breached == (state.stopped_at > state.due_at)
        assert (state.met_at is None) == state.breached
    else:
        assert state.breached == (state.as_of >= state.due_at)
        assert state.met_at is None
    if state.running:
        passed = [t for t in state.thresholds if t.at <= state.as_of]
        assert state.pending == (state.thresholds[len(passed) - 1 if passed else 0 :])
    assert len([t for t in state.pending if t.at <= state.as_of]) <= 1  # only the highest passed


# --- against a minute-by-minute oracle ----------------------------------------------------


@cache
def works(name: str, n: int) -> bool:
    return is_working(CALENDARS[name], minute(n))


def oracle(log: list[Entry], now: datetime | None) -> tuple[str, int, float, datetime, bool]:
    """The clock's rules, told again the slow way: minute by minute, on whole-minute entries."""
    facts, seen = [], set()
    for e in sorted(log, key=lambda e: (e.at, e.seq)):
        key = (e.at, e.kind, e.reason, e.source, e.target_minutes, e.calendar)
        if key not in seen:
            seen.add(key)
            facts.append(e)
    opening = next(e for e in facts if e.kind is EntryKind.start)
    target, name = opening.target_minutes, opening.calendar
    for e in facts:
        if e.kind is EntryKind.retarget:
            target, name = e.target_minutes or target, e.calendar or name

    def index(at: datetime) -> int:
        return int((at - BASE) / timedelta(minutes=1))

    t0 = index(opening.at)
    moves = [(max(index(e.at), t0), e) for e in facts if e is not opening]
    holds: set[str] = set()
    stopped = None  # the minute it stopped
    held_since = None
    held_at: dict[int, bool] = {}
    stopped_at: dict[int, bool] = {}
    timeline: dict[int, list[Entry]] = {}
    for m, e in moves:
        timeline.setdefault(m, []).append(e)
    last = max([t0, *(m for m, _ in moves)])
    for m in range(t0, last + 1):
        for e in timeline.get(m, []):
            if e.kind is EntryKind.pause and stopped is None and e.reason not in holds:
                held_since = m if not holds else held_since
                holds.add(e.reason)
            elif e.kind is EntryKind.resume and e.reason in holds:
                holds.discard(e.reason)
            elif e.kind is EntryKind.stop and stopped is None:
                holds.clear()
                stopped = m
            elif e.kind is EntryKind.reopen and stopped is not None:
                stopped = None
        held_at[m], stopped_at[m] = bool(holds), stopped is not None
    if stopped is not None:
        horizon = stopped
        release = stopped  # the due is where it would have come had it kept running
    else:
        horizon = max(t0, index(now) if now is not None else last)
        release = max(held_since, horizon) if holds else None

    def counts(m: int) -> bool:
        if not works(name, m):
            return False
        if release is not None and m >= release:
            return True
        k = min(m, last)
        return not held_at[k] and not stopped_at[k]

    used = sum(1 for m in range(t0, horizon) if counts(m))
    got, m = 0, t0
    while got < target:
        got += counts(m)
        m += 1
    due = minute(m) if target else minute(t0)
    breached = minute(horizon) > due if stopped is not None else minute(horizon) >= due
    return name, target, used, due, breached


@PROPERTIES
@given(log=logs(), now=nows)
def test_the_fold_agrees_with_counting_minute_by_minute(log, now):
    state = replay(log, calendars, now)
    name, target, used, due, breached = oracle(log, now)
    assert (state.calendar, state.target_minutes) == (name, target)
    assert state.used_minutes == pytest.approx(used)
    assert state.due_at == due
    assert state.breached == breached


def test_the_oracle_and_the_fold_agree_on_a_busy_log():
    rng = random.Random(7)
    for _ in range(30):
        entries = [
            start(
                minute(rng.randrange(0, 600)), rng.randrange(1, 600), rng.choice(sorted(CALENDARS))
            )
        ]
        for _ in range(12):
            kind = rng.choice([EntryKind.pause, EntryKind.resume, EntryKind.stop, EntryKind.reopen])
            entries.append(Entry(minute(rng.randrange(0, 3000)), 0, kind, reason=rng.choice("ab")))
        log = numbered(*entries)
        now = minute(rng.randrange(0, 4000))
        state = replay(log, calendars, now)
        _, _, used, due, breached = oracle(log, now)
        assert (state.used_minutes, state.due_at, state.breached) == (
            pytest.approx(used),
            due,
            breached,
        )


def test_the_national_day_schedule_is_the_one_the_tests_assume():
    year = china_holiday_year(2026)
    assert {date(2026, 10, d) for d in (1, 2, 3, 5, 6, 7)} <= year.holidays
    assert date(2026, 10, 10) in year.makeup_days
