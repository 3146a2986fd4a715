"""Named calendars' rules: what a definition may be, how a change applies, what a preview says."""

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.escalation.calendars import rules
from services.escalation.calendars.rules import (
    Amendment,
    BuiltInCalendar,
    PreviewTooFar,
    StartOutOfRange,
)
from shared.businesstime import (
    InvalidCalendar,
    InvalidMinutes,
    InvalidPause,
    NaiveDatetime,
    WorkingRange,
    calendar,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE = {"mon-fri": [["08:30", "12:00"], ["13:00", "17:30"]]}
NATIONAL_DAY = date(2026, 10, 1)  # a Thursday


def office(**changes) -> rules.Definition:
    fields = {"timezone": "Asia/Shanghai", "ranges": OFFICE} | changes
    return rules.define(**fields)


def at(day: int, hour: int, minute: int = 0, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@contextmanager
def refused(error, where: str):
    """The refusal is of this kind and names the field it is about."""
    with pytest.raises(error) as raised:
        yield raised
    assert raised.value.context["field"] == where, raised.value.context


# --- definitions -----------------------------------------------------------------------------


def test_pairs_and_strings_define_the_same_week_with_a_lunch_break():
    as_pairs = office()
    as_text = office(ranges={"mon-fri": ["08:30-12:00", "13:00-17:30"]})
    assert as_pairs == as_text
    assert as_pairs.week[0] == (WorkingRange(510, 720), WorkingRange(780, 1050))
    assert as_pairs.week[5] == as_pairs.week[6] == ()
    assert as_pairs.ranges_as_written() == {"mon-fri": ["08:30-12:00", "13:00-17:30"]}


def test_a_weekday_in_a_span_and_on_its_own_adds_up_when_the_ranges_do_not_overlap():
    definition = office(ranges={"fri": ["18:00-20:00"], "mon-fri": ["08:30-17:30"]})
    assert definition.week[4] == (WorkingRange(510, 1050), WorkingRange(1080, 1200))
    assert definition.week[3] == (WorkingRange(510, 1050),)
    # Week order, whatever order the keys came in: a definition read back from JSONB equals it.
    assert [key for key, _ in definition.ranges] == ["mon-fri", "fri"]


def test_ranges_that_touch_are_one_range_and_a_day_may_end_at_midnight():
    definition = office(ranges={"sat": ["08:00-12:00", "12:00-24:00"]})
    assert definition.week[5] == (WorkingRange(480, 1440),)


@pytest.mark.parametrize(
    ("ranges", "where"),
    [
        ({"mon": ["08:00-12:00", "11:00-13:00"]}, "ranges.mon[1]"),
        ({"mon-fri": ["08:30-17:30"], "wed": ["17:00-19:00"]}, "ranges.wed[0]"),
        ({"mon": [["09:00", "08:00"]]}, "ranges.mon[0]"),
        ({"mon": ["08:00-25:00"]}, "ranges.mon[0]"),
        ({"mon": ["8 to 5"]}, "ranges.mon[0]"),
        ({"mon": [["08:00"]]}, "ranges.mon[0]"),
        ({"fri-mon": ["08:00-17:00"]}, "ranges.fri-mon"),
        ({"monday": ["08:00-17:00"]}, "ranges.monday"),
        ({"Mon": ["08:00-12:00"], "mon": ["13:00-17:00"]}, "ranges.mon"),
        ({"mon": "08:00-17:00"}, "ranges.mon"),
        ({"sat": []}, "ranges"),
        ({}, "ranges"),
    ],
)
def test_ranges_that_cannot_be_a_week_are_refused_naming_where(ranges, where):
    with refused(InvalidCalendar, where):
        office(ranges=ranges)


def test_an_overlap_names_both_ranges_and_the_day():
    with pytest.raises(InvalidCalendar) as error:
        office(ranges={"mon-fri": ["08:30-17:30"], "wed": ["17:00-19:00"]})
    assert "17:00-19:00 overlaps 08:30-17:30 (ranges.mon-fri[0]) on wed" in str(error.value)


@pytest.mark.parametrize(
    "zone", ["Mars/Olympus", "localtime", "Factory", "", "asia/shanghai", "../etc/passwd", None]
)
def test_a_time_zone_must_be_an_iana_zone(zone):
    with refused(InvalidCalendar, "timezone"):
        office(timezone=zone)


def test_a_date_cannot_be_both_a_holiday_and_a_make_up_day():
    with pytest.raises(InvalidCalendar, match="2026-10-01 cannot be both") as error:
        office(holidays=[NATIONAL_DAY], workdays=[NATIONAL_DAY, date(2026, 10, 10)])
    assert error.value.context["field"] == "workdays"


def test_a_make_up_day_needs_monday_to_have_hours():
    with refused(InvalidCalendar, "workdays"):
        office(ranges={"tue-sat": ["09:00-17:00"]}, workdays=[date(2026, 10, 11)])


def test_the_same_date_twice_in_a_list_is_one_date():
    assert office(holidays=[NATIONAL_DAY, NATIONAL_DAY]).holidays == {NATIONAL_DAY}


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["24x7", "cn-5x8", "CN-5X8", " 24x7 "])
def test_a_built_in_name_cannot_be_taken_in_any_case(name):
    with pytest.raises(BuiltInCalendar):
        rules.check_name(name)


@pytest.mark.parametrize("name", ["", "Acme", "-acme", "acme 5x8", "a" * 65, "acme/5x8"])
def test_a_name_is_a_lower_case_slug(name):
    with refused(InvalidCalendar, "name"):
        rules.check_name(name)


def test_a_slug_is_a_name():
    assert rules.check_name("acme-5x8.v2_a") == "acme-5x8.v2_a"


# --- changes --------------------------------------------------------------------------------


def test_a_change_touches_only_what_was_sent():
    current = office(holidays=[NATIONAL_DAY])
    changed = rules.amend(current, Amendment(timezone="Europe/Berlin"))
    assert changed.timezone == "Europe/Berlin"
    assert changed.ranges == current.ranges and changed.holidays == current.holidays


def test_holidays_are_added_and_removed_date_by_date():
    current = office(holidays=[NATIONAL_DAY, date(2026, 10, 2)])
    changed = rules.amend(
        current, Amendment(add_holidays=[date(2026, 10, 5)], remove_holidays=[NATIONAL_DAY])
    )
    assert changed.holidays == {date(2026, 10, 2), date(2026, 10, 5)}
    # Removing what is not there is no error: a repeated change gives the same calendar.
    assert rules.amend(changed, Amendment(remove_holidays=[NATIONAL_DAY])) == changed


def test_a_whole_list_replaces_first_then_dates_are_added():
    current = office(holidays=[NATIONAL_DAY])
    changed = rules.amend(
        current, Amendment(holidays=[date(2027, 1, 1)], add_holidays=[date(2027, 2, 17)])
    )
    assert changed.holidays == {date(2027, 1, 1), date(2027, 2, 17)}


def test_a_date_added_and_removed_in_one_change_is_refused():
    with refused(InvalidCalendar, "add_holidays"):
        rules.amend(
            office(), Amendment(add_holidays=[NATIONAL_DAY], remove_holidays=[NATIONAL_DAY])
        )


def test_a_make_up_day_becomes_a_holiday_only_when_the_same_change_lets_it_go():
    current = office(workdays=[date(2026, 10, 10)])
    with refused(InvalidCalendar, "workdays"):
        rules.amend(current, Amendment(add_holidays=[date(2026, 10, 10)]))
    changed = rules.amend(
        current,
        Amendment(add_holidays=[date(2026, 10, 10)], remove_workdays=[date(2026, 10, 10)]),
    )
    assert changed.holidays == {date(2026, 10, 10)} and changed.workdays == frozenset()


def test_a_change_is_checked_as_a_whole():
    with refused(InvalidCalendar, "ranges.mon[1]"):
        rules.amend(office(), Amendment(ranges={"mon": ["08:00-12:00", "09:00-10:00"]}))


# --- built calendars and the preview --------------------------------------------------------


def test_a_built_calendar_skips_the_lunch_break_holidays_and_works_make_up_days():
    cal = rules.build(
        "acme",
        office(
            holidays=[NATIONAL_DAY, date(2026, 10, 2)],
            workdays=[date(2026, 10, 10)],  # a Saturday
        ),
    )
    # Wednesday 30 September 11:00 + 4 h: 1 h before lunch, 3 h after it until 16:00.
    assert rules.preview(cal, at(30, 11, month=9), 240).due == at(30, 16, month=9)
    # + 6 h: 1 h before lunch, 4.5 h after; the holidays and the weekend skipped, then the
    # make-up Saturday works Monday's hours, 30 minutes in.
    assert rules.preview(cal, at(30, 11, month=9), 360).due == at(5, 9)
    assert rules.preview(cal, at(9, 17), 60).due == at(10, 9, 0)


def test_a_preview_counts_business_minutes_and_the_paused_ones_apart():
    cal = rules.build("acme", office())
    paused = (at(5, 9), at(5, 14))  # Monday: 4 business hours held (09-12 and 13-14)
    due = rules.preview(cal, at(5, 8, 30), 60, [paused])
    assert due.due == at(5, 14, 30)
    assert due.business_minutes == 60
    assert due.paused_minutes == 240


def test_zero_minutes_are_due_at_the_start():
    assert rules.preview(calendar("cn-5x8"), at(3, 3), 0).due == at(3, 3)


@pytest.mark.parametrize("minutes", [-1, -0.5, float("nan"), float("inf"), 525_601, True])
def test_minutes_must_be_between_none_and_a_year(minutes):
    with refused(InvalidMinutes, "minutes"):
        rules.preview(calendar("24x7"), at(5, 9), minutes)


def test_a_full_year_of_minutes_is_allowed():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert rules.preview(calendar("24x7"), start, 525_600).due == start + timedelta(days=365)


def test_a_start_must_have_a_time_zone_and_a_sane_year():
    with refused(NaiveDatetime, "start"):
        rules.preview(calendar("24x7"), datetime(2026, 10, 5, 9), 60)
    for year in (1969, 2200, 9999):
        with refused(StartOutOfRange, "start"):
            rules.preview(calendar("24x7"), datetime(year, 6, 1, tzinfo=UTC), 60)


def test_a_pause_that_ends_before_it_starts_is_refused():
    with refused(InvalidPause, "pauses[1]"):
        rules.preview(
            calendar("24x7"), at(5, 9), 60, [(at(5, 9), at(5, 10)), (at(5, 12), at(5, 11))]
        )
    with refused(InvalidPause, "pauses[0]"):
        rules.preview(calendar("24x7"), at(5, 9), 60, [(datetime(2026, 10, 5), at(5, 10))])


def test_a_calendar_open_an_hour_a_week_cannot_preview_a_year_of_minutes():
    cal = rules.build("thin", office(ranges={"mon": ["09:00-10:00"]}))
    with refused(PreviewTooFar, "minutes"):
        rules.preview(cal, at(5, 9), 525_600)
    assert rules.preview(cal, at(5, 9), 120).due == at(12, 10)


@given(
    start=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)
    ),
    minutes=st.integers(0, 20_000),
)
def test_a_preview_is_due_when_exactly_its_minutes_have_run(start, minutes):
    cal = rules.build("acme", office(holidays=[NATIONAL_DAY], workdays=[date(2026, 10, 10)]))
    due = rules.preview(cal, start, minutes)
    assert due.business_minutes == pytest.approx(minutes)
    assert due.due >= start


# --- how a week reads -----------------------------------------------------------------------


def test_a_week_reads_with_spans_where_neighbouring_days_are_equal():
    assert rules.describe_week(calendar("cn-5x8").week) == {"mon-fri": ["08:30-17:30"]}
    assert rules.describe_week(calendar("24x7").week) == {"mon-sun": ["00:00-24:00"]}
    mixed = office(
        ranges={"mon-thu": ["08:00-17:00"], "fri": ["08:00-12:00"], "sun": ["10:00-11:00"]}
    )
    assert rules.describe_week(mixed.week) == {
        "mon-thu": ["08:00-17:00"],
        "fri": ["08:00-12:00"],
        "sun": ["10:00-11:00"],
    }
