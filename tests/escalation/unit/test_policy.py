from datetime import datetime
from itertools import product
from zoneinfo import ZoneInfo

import pytest

from services.escalation.clocks.policy import (
    ALWAYS,
    DEFAULT_CALENDAR,
    DEFAULT_WARNINGS,
    ClockKind,
    ClockTarget,
    Coverage,
    InvalidPolicy,
    Policy,
    Priority,
    Step,
    StepLimit,
    TargetOverride,
    working_day_minutes,
)
from shared.businesstime import add, calendar, weekly
from shared.events.intake import ContractRegistered

SHANGHAI = ZoneInfo("Asia/Shanghai")
CN = calendar("cn-5x8")
SPLIT_WEEK = weekly(
    "Europe/Berlin",
    {"mon-thu": ["08:00-12:00", "13:00-17:00"], "fri": ["08:00-14:00"], "sat": ["09:00-12:00"]},
    name="split-week",
)


def calendars(name: str):
    return SPLIT_WEEK if name == "split-week" else calendar(name)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def targets(policy: Policy, priority: str, has_asset: bool = False) -> dict[ClockKind, ClockTarget]:
    return {c.kind: c for c in policy.clocks_for(priority, has_asset, calendars)}


# --- targets ------------------------------------------------------------------------------


@pytest.mark.parametrize("priority", list(Priority))
def test_every_ticket_must_be_responded_to_within_thirty_minutes(priority):
    assert targets(Policy(), priority)[ClockKind.response].minutes == 30


@pytest.mark.parametrize(
    ("priority", "minutes"), [("P1", 60), ("P2", 120), ("P3", 240), ("P4", 1440)]
)
def test_the_restore_target_follows_the_priority(priority, minutes):
    assert targets(Policy(), priority)[ClockKind.restore].minutes == minutes


@pytest.mark.parametrize("onsite", [120, 360])
def test_the_on_site_target_is_the_contracts_terms_for_every_priority(onsite):
    policy = Policy(onsite_minutes=onsite)
    for priority in Priority:
        assert targets(policy, priority)[ClockKind.on_site].minutes == onsite


def test_without_on_site_terms_the_project_terms_of_six_hours_apply():
    assert targets(Policy(), "P3")[ClockKind.on_site].minutes == 360


def test_a_ticket_on_an_asset_gets_a_repair_clock_of_five_working_days():
    assert ClockKind.repair not in targets(Policy(), "P3", has_asset=False)
    repair = targets(Policy(), "P3", has_asset=True)[ClockKind.repair]
    assert repair == ClockTarget(ClockKind.repair, 5 * 540, "cn-5x8")


def test_the_clocks_come_in_a_fixed_order():
    kinds = [c.kind for c in Policy().clocks_for("P2", True, calendars)]
    assert kinds == [ClockKind.response, ClockKind.on_site, ClockKind.restore, ClockKind.repair]


def test_five_working_days_of_repair_end_at_the_same_hour_five_working_days_later():
    minutes = targets(Policy(), "P4", has_asset=True)[ClockKind.repair].minutes
    # Friday 16:30 -> Mon, Tue, Wed, Thu worked -> the next Friday 16:30.
    assert add(CN, sh(2026, 11, 27, 16, 30), minutes) == sh(2026, 12, 4, 16, 30)


def test_five_working_days_of_repair_skip_national_day_and_count_its_make_up_saturday():
    minutes = targets(Policy(), "P4", has_asset=True)[ClockKind.repair].minutes
    # Wed 30 Sep 16:30; 1-7 Oct off; Thu 8, Fri 9, Sat 10 (made up), Mon 12 worked; Tue 13 16:30.
    assert add(CN, sh(2026, 9, 30, 16, 30), minutes) == sh(2026, 10, 13, 16, 30)


def test_a_repair_on_an_around_the_clock_calendar_takes_five_whole_days():
    repair = targets(Policy(calendar="24x7"), "P3", has_asset=True)[ClockKind.repair]
    assert repair.minutes == 5 * 1440


def test_a_contracts_overrides_replace_the_seeds_targets_field_by_field():
    policy = Policy(
        targets={
            Priority.P1: TargetOverride(restore_minutes=90),
            Priority.P3: TargetOverride(response_minutes=15, restore_minutes=480),
        }
    )
    p1, p2, p3 = (targets(policy, p) for p in ("P1", "P2", "P3"))
    assert (p1[ClockKind.response].minutes, p1[ClockKind.restore].minutes) == (30, 90)
    assert (p2[ClockKind.response].minutes, p2[ClockKind.restore].minutes) == (30, 120)
    assert (p3[ClockKind.response].minutes, p3[ClockKind.restore].minutes) == (15, 480)


def test_overrides_keyed_by_plain_strings_apply_as_well():
    policy = Policy(targets={"P2": TargetOverride(restore_minutes=100)})
    assert targets(policy, Priority.P2)[ClockKind.restore].minutes == 100


# --- calendars (IN-10) --------------------------------------------------------------------

URGENT = {"P1", "P2"}


@pytest.mark.parametrize(
    ("coverage", "emergency", "priority", "kind"),
    list(product(["5x8", "7x24"], [False, True], list(Priority), list(ClockKind))),
)
def test_which_calendar_each_clock_counts_on(coverage, emergency, priority, kind):
    policy = Policy(calendar="cn-5x8", coverage=coverage, emergency_onsite_7x24=emergency)
    around_the_clock = kind is not ClockKind.repair and (
        coverage == "7x24" or (emergency and priority in URGENT)
    )
    expected = ALWAYS if around_the_clock else "cn-5x8"
    assert policy.calendar_for(priority, kind) == expected


def test_emergency_cover_puts_p1_and_p2_on_24x7_and_leaves_p3_on_the_contracts_calendar():
    policy = Policy(calendar="cn-5x8", emergency_onsite_7x24=True)
    assert {c.calendar for c in policy.clocks_for("P1", False, calendars)} == {"24x7"}
    assert {c.calendar for c in policy.clocks_for("P3", False, calendars)} == {"cn-5x8"}


def test_a_repair_counts_working_days_even_under_7x24_cover():
    policy = Policy(calendar="cn-5x8", coverage=Coverage.seven_by_twenty_four)
    repair = targets(policy, "P1", has_asset=True)[ClockKind.repair]
    assert repair == ClockTarget(ClockKind.repair, 2700, "cn-5x8")


# --- step limits (ES-3) -------------------------------------------------------------------


def test_p3_and_p4_steps_are_limited_to_one_working_day_on_the_contracts_calendar():
    for priority in ("P3", "P4"):
        assert Policy().step_limits_for(priority, calendars) == (
            StepLimit(Step.accept, 540, "cn-5x8"),
            StepLimit(Step.arrive, 540, "cn-5x8"),
            StepLimit(Step.resolve, 540, "cn-5x8"),
        )


def test_emergencies_have_shorter_steps_than_a_working_day():
    p1 = Policy().step_limits_for("P1", calendars)
    p2 = Policy().step_limits_for("P2", calendars)
    assert [limit.minutes for limit in p1] == [15, 120, 60]
    assert [limit.minutes for limit in p2] == [30, 240, 120]


def test_under_emergency_cover_the_steps_of_an_emergency_run_around_the_clock():
    policy = Policy(emergency_onsite_7x24=True)
    assert {limit.calendar for limit in policy.step_limits_for("P1", calendars)} == {"24x7"}
    assert {limit.calendar for limit in policy.step_limits_for("P4", calendars)} == {"cn-5x8"}


def test_a_working_day_step_on_a_7x24_contract_is_a_whole_day():
    policy = Policy(coverage=Coverage.seven_by_twenty_four)
    assert {limit.minutes for limit in policy.step_limits_for("P3", calendars)} == {1440}


def test_a_contract_may_set_its_own_step_limits():
    policy = Policy(step_limits={Priority.P3: {Step.arrive: 240}, Priority.P1: {Step.accept: 10}})
    assert [limit.minutes for limit in policy.step_limits_for("P3", calendars)] == [540, 240, 540]
    assert [limit.minutes for limit in policy.step_limits_for("P1", calendars)] == [10, 120, 60]


def test_step_values_are_the_names_escalation_raised_carries():
    assert [s.value for s in Step] == [
        "assigned_to_accepted",
        "accepted_to_on_site",
        "on_site_to_resolved",
    ]


# --- working days -------------------------------------------------------------------------


def test_a_working_day_is_the_standard_days_business_minutes():
    assert working_day_minutes(calendar("cn-5x8")) == 540
    assert working_day_minutes(calendar("24x7")) == 1440


def test_a_short_friday_and_saturday_do_not_shorten_the_standard_working_day():
    assert working_day_minutes(SPLIT_WEEK) == 480


def test_when_day_lengths_tie_the_longer_one_is_the_standard_day():
    even = weekly("UTC", {"mon-tue": ["09:00-17:00"], "wed-thu": ["09:00-13:00"]})
    assert working_day_minutes(even) == 480


def test_a_repair_on_a_split_week_counts_its_standard_days():
    policy = Policy(calendar="split-week")
    assert targets(policy, "P3", has_asset=True)[ClockKind.repair].minutes == 5 * 480


# --- building a policy --------------------------------------------------------------------


def test_a_policy_is_read_from_a_contract_event():
    contract = ContractRegistered.model_validate(ContractRegistered.example)
    policy = Policy.from_contract(contract)
    assert policy == Policy(
        calendar="cn-5x8",
        coverage=Coverage.five_by_eight,
        emergency_onsite_7x24=True,
        onsite_minutes=360,
        targets={Priority.P1: TargetOverride(restore_minutes=90)},
        step_limits={Priority.P1: {Step.accept: 10, Step.resolve: 45}},
    )
    assert policy.clocks_for("P1", True, calendars) == (
        ClockTarget(ClockKind.response, 30, "24x7"),
        ClockTarget(ClockKind.on_site, 360, "24x7"),
        ClockTarget(ClockKind.restore, 90, "24x7"),
        ClockTarget(ClockKind.repair, 2700, "cn-5x8"),
    )


def test_a_ticket_without_a_contract_gets_the_seeds_defaults_on_its_own_cover():
    assert Policy.without_contract(None, None) == Policy()
    assert Policy().calendar == DEFAULT_CALENDAR == "cn-5x8"
    assert Policy().warnings == DEFAULT_WARNINGS == (0.5, 0.8)
    around = Policy.without_contract("7x24", "cn-5x8")
    assert around.calendar_for("P4", ClockKind.restore) == "24x7"
    assert Policy.without_contract("5x8", "24x7").calendar_for("P4", ClockKind.restore) == "24x7"


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"onsite_minutes": 0}, "onsite_minutes"),
        ({"onsite_minutes": True}, "onsite_minutes"),
        ({"onsite_minutes": 525_601}, "onsite_minutes"),
        ({"calendar": ""}, "calendar"),
        ({"coverage": "6x12"}, "coverage"),
        ({"targets": {"P5": TargetOverride(restore_minutes=10)}}, "targets"),
        ({"targets": {"P1": TargetOverride(restore_minutes=-1)}}, "targets.P1.restore_minutes"),
        ({"step_limits": {"P1": {"lunch": 10}}}, "step_limits.P1"),
        ({"step_limits": {"P1": {Step.accept: 0}}}, "step_limits.P1.assigned_to_accepted"),
        ({"warnings": (0.8, 0.5)}, "warnings"),
        ({"warnings": (0.5, 1.0)}, "warnings"),
        ({"warnings": (0.5, 0.5)}, "warnings"),
    ],
)
def test_a_policy_that_cannot_be_kept_is_refused_naming_the_field(fields, where):
    with pytest.raises(InvalidPolicy) as refused:
        Policy(**fields)
    assert refused.value.context["field"] == where


def test_an_unknown_priority_is_refused():
    with pytest.raises(InvalidPolicy):
        Policy().clocks_for("P9", False, calendars)


def test_a_contracts_own_step_limits_replace_the_defaults_step_by_step():
    contract = ContractRegistered.model_validate(
        ContractRegistered.example
        | {
            "emergency_onsite_7x24": False,
            "step_limits": {
                "P1": {"arrive_minutes": 90},
                "P3": {"accept_minutes": 60, "resolve_minutes": 480},
            },
        }
    )
    policy = Policy.from_contract(contract)
    assert policy.step_limits_for("P1", calendars) == (
        StepLimit(Step.accept, 15, "cn-5x8"),  # the P1 default stays where the contract is silent
        StepLimit(Step.arrive, 90, "cn-5x8"),
        StepLimit(Step.resolve, 60, "cn-5x8"),
    )
    assert policy.step_limits_for("P3", calendars) == (
        StepLimit(Step.accept, 60, "cn-5x8"),
        StepLimit(Step.arrive, 540, "cn-5x8"),  # one working day
        StepLimit(Step.resolve, 480, "cn-5x8"),
    )
    assert policy.step_limits_for("P2", calendars) == Policy().step_limits_for("P2", calendars)


def test_a_contract_event_from_before_step_limits_keeps_every_default():
    example = dict(ContractRegistered.example)
    del example["step_limits"]
    policy = Policy.from_contract(ContractRegistered.model_validate(example))
    assert policy.step_limits == {}
    assert policy.step_limits_for("P3", calendars) == Policy().step_limits_for("P3", calendars)
