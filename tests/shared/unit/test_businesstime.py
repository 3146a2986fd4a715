from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shared.businesstime import (
    InvalidCalendar,
    InvalidMinutes,
    InvalidPause,
    NaiveDatetime,
    NoWorkingTime,
    UnknownCalendar,
    add,
    between,
    calendar,
    china_holiday_year,
    from_definition,
    is_working,
    next_opening,
    weekly,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
US = timedelta(microseconds=1)

CN = calendar("cn-5x8")
ALWAYS = calendar("24x7")
# Split shifts, a lunch break, a 24-hour Saturday, in a zone with DST.
BERLIN_SHIFTS = weekly(
    "Europe/Berlin",
    {
        "mon-thu": ["07:00-12:00", "12:45-16:15", "22:00-24:00"],
        "fri": ["07:00-13:00"],
        "sat": ["00:00-24:00"],
    },
    name="berlin-shifts",
    holidays=[date(2026, 12, 25)],
)
BERLIN_OFFICE = weekly("Europe/Berlin", {"mon-sun": ["08:00-18:00"]}, name="berlin-office")
BERLIN_ALL_DAY = weekly("Europe/Berlin", {"mon-sun": ["00:00-24:00"]}, name="berlin-all-day")
# Ranges that start, end or lie inside the hour DST skips or repeats on its Sundays.
BERLIN_NIGHTS = weekly(
    "Europe/Berlin",
    {
        "sat": ["23:00-24:00"],
        "sun": ["01:30-02:30", "02:45-04:00"],
        "mon": ["02:10-02:20"],
    },
    name="berlin-nights",
)

CALENDARS = [CN, ALWAYS, BERLIN_SHIFTS, BERLIN_OFFICE, BERLIN_NIGHTS]
PROPERTIES = settings(
    max_examples=100,
    deadline=timedelta(milliseconds=500),
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture(scope="module", autouse=True)
def published_years_loaded():
    # Building a year of China's schedule costs ~0.1 s once; keep it out of hypothesis's deadline.
    for year in range(2025, 2029):
        china_holiday_year(year)


def utc(at: datetime) -> datetime:
    # Aware datetimes sharing a tzinfo compare (and add) by wall time, fold ignored: across the
    # autumn repeat that is not the order of the instants. Properties compare instants.
    return at.astimezone(UTC)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def berlin(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=BERLIN, fold=fold)


zones = st.sampled_from([UTC, SHANGHAI, BERLIN])
DST_JUMPS = [datetime(2026, 3, 29, 1, 0, tzinfo=UTC), datetime(2026, 10, 25, 1, 0, tzinfo=UTC)]
three_days = st.timedeltas(min_value=timedelta(days=-3), max_value=timedelta(days=3))
around_dst = st.builds(
    lambda jump, d, z: (jump + d).astimezone(z), st.sampled_from(DST_JUMPS), three_days, zones
)
instants = (
    st.datetimes(
        min_value=datetime(2025, 1, 1),
        max_value=datetime(2027, 12, 31),
        timezones=zones,
        allow_imaginary=False,
    )
    | around_dst
)
minutes = st.integers(min_value=0, max_value=5 * 1440)
calendars = st.sampled_from(CALENDARS)


# --- China: the published schedule ---------------------------------------------------------


def test_the_package_has_the_state_councils_2026_make_up_working_days():
    # 国办发明电〔2025〕7号: 元旦 Jan 4 (Sun); 春节 Feb 14 (Sat) and Feb 28 (Sat); 劳动节 May 9 (Sat);
    # 国庆节 Sep 20 (Sun) and Oct 10 (Sat).
    assert china_holiday_year(2026).makeup_days == {
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    }


def test_the_2026_spring_festival_runs_from_the_15th_to_the_23rd_of_february():
    off = [
        d for d in (date(2026, 2, 13) + timedelta(days=n) for n in range(16)) if not CN.ranges_on(d)
    ]
    assert off == [date(2026, 2, 15) + timedelta(days=n) for n in range(9)]
    assert CN.ranges_on(date(2026, 2, 14)) and CN.ranges_on(date(2026, 2, 28))


def test_a_make_up_saturday_counts_as_working_time():
    assert is_working(CN, sh(2026, 2, 14, 10, 0))
    assert is_working(CN, sh(2026, 10, 10, 8, 30))
    assert not is_working(CN, sh(2026, 10, 10, 17, 30))
    assert between(CN, sh(2026, 2, 14, 0, 0), sh(2026, 2, 15, 0, 0)) == 540


def test_a_make_up_sunday_counts_as_working_time():
    assert is_working(CN, sh(2026, 1, 4, 9, 0))
    assert is_working(CN, sh(2026, 9, 20, 17, 29))


def test_a_holiday_monday_is_not_working_time():
    for monday in (date(2026, 2, 23), date(2026, 4, 6), date(2026, 10, 5)):
        assert monday.weekday() == 0
        assert not is_working(CN, sh(monday.year, monday.month, monday.day, 10, 0))


def test_an_ordinary_saturday_is_not_working_time():
    assert not is_working(CN, sh(2026, 11, 21, 10, 0))


def test_a_p4_across_national_day_week_lands_on_the_make_up_saturday():
    # 90 min on Sep 30, Oct 1-7 off, 540 on Oct 8 and 9, the last 270 on Saturday Oct 10.
    assert add(CN, sh(2026, 9, 30, 16, 0), 1440) == sh(2026, 10, 10, 13, 0)


# --- China: office hours -------------------------------------------------------------------


def test_friday_1700_plus_an_hour_is_monday_0900():
    # 30 minutes on Friday, 30 on Monday morning.
    assert add(CN, sh(2026, 11, 20, 17, 0), 60) == sh(2026, 11, 23, 9, 0)


def test_a_deadline_landing_at_closing_time_stays_at_closing_time():
    assert add(CN, sh(2026, 11, 19, 17, 0), 30) == sh(2026, 11, 19, 17, 30)


def test_adding_from_outside_working_time_counts_from_the_next_opening():
    assert add(CN, sh(2026, 11, 21, 3, 0), 30) == sh(2026, 11, 23, 9, 0)
    assert add(CN, sh(2026, 11, 19, 6, 0), 1) == sh(2026, 11, 19, 8, 31)


def test_closing_time_is_closed_and_opening_time_is_open():
    assert is_working(CN, sh(2026, 11, 19, 8, 30))
    assert not is_working(CN, sh(2026, 11, 19, 17, 30))
    assert is_working(CN, sh(2026, 11, 19, 17, 29, 59, 999999))


def test_next_opening_is_the_instant_itself_inside_working_time():
    assert next_opening(CN, sh(2026, 11, 19, 10, 0)) == sh(2026, 11, 19, 10, 0)
    assert next_opening(CN, sh(2026, 11, 19, 17, 30)) == sh(2026, 11, 20, 8, 30)
    assert next_opening(CN, sh(2026, 10, 1, 0, 0)) == sh(2026, 10, 8, 8, 30)


def test_results_keep_the_time_zone_they_were_given():
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai
    due = add(CN, start, 60)
    assert due.tzinfo is UTC and due == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_between_is_negative_when_the_end_comes_first():
    a, b = sh(2026, 11, 19, 9, 0), sh(2026, 11, 20, 9, 0)
    assert between(CN, a, b) == 540
    assert between(CN, b, a) == -540
    assert between(CN, a, a) == 0


def test_minutes_may_be_fractional_or_a_timedelta():
    start = sh(2026, 11, 19, 17, 29)
    assert add(CN, start, 1.5) == sh(2026, 11, 20, 8, 30, 30)
    assert add(CN, start, timedelta(seconds=90)) == sh(2026, 11, 20, 8, 30, 30)
    assert between(CN, start, sh(2026, 11, 20, 8, 30, 30)) == 1.5


# --- calendars built from a weekly definition ----------------------------------------------


def test_a_lunch_break_does_not_count():
    office = weekly("Asia/Shanghai", {"mon-fri": ["08:30-12:00", "13:00-17:30"]})
    assert add(office, sh(2026, 11, 19, 11, 30), 60) == sh(2026, 11, 19, 13, 30)
    assert between(office, sh(2026, 11, 19, 0, 0), sh(2026, 11, 20, 0, 0)) == 480
    assert not is_working(office, sh(2026, 11, 19, 12, 30))


def test_touching_ranges_are_one_range_and_its_end_is_a_closing():
    office = weekly("Asia/Shanghai", {"mon-fri": ["12:00-17:30", "08:30-12:00"]})
    assert office.week[0] == CN.week[0]
    assert add(office, sh(2026, 11, 19, 11, 0), 60) == sh(2026, 11, 19, 12, 0)


def test_a_range_may_end_at_midnight_and_the_next_day_continues_it():
    nights = weekly("Asia/Shanghai", {"mon": ["22:00-24:00"], "tue": ["00:00-06:00"]})
    assert add(nights, sh(2026, 11, 23, 23, 0), 120) == sh(2026, 11, 24, 1, 0)
    assert is_working(nights, sh(2026, 11, 24, 0, 0))


def test_a_make_up_day_works_the_ranges_of_the_weekday_it_names():
    shifts = weekly(
        "Asia/Shanghai",
        {"mon": ["09:00-12:00"], "fri": ["13:00-15:00"]},
        makeup_days=[date(2026, 11, 21)],
        makeup_weekday="fri",
        holidays=[date(2026, 11, 23)],
    )
    assert is_working(shifts, sh(2026, 11, 21, 14, 0))
    assert not is_working(shifts, sh(2026, 11, 21, 10, 0))
    assert not is_working(shifts, sh(2026, 11, 23, 10, 0))


def test_a_definition_from_json_builds_the_same_calendar():
    defined = from_definition(
        {
            "timezone": "Europe/Berlin",
            "ranges": {
                "mon-thu": ["07:00-12:00", "12:45-16:15", "22:00-24:00"],
                "fri": ["07:00-13:00"],
                "sat": ["00:00-24:00"],
            },
            "holidays": ["2026-12-25"],
        },
        name="berlin-shifts",
    )
    assert defined == BERLIN_SHIFTS


@pytest.mark.parametrize(
    ("definition", "where"),
    [
        ({"timezone": "Mars/Olympus", "ranges": {"mon": ["08:00-17:00"]}}, "timezone"),
        ({"ranges": {"mon": ["08:00-17:00"]}}, "timezone"),
        ({"timezone": "UTC", "ranges": {"monday": ["08:00-17:00"]}}, "ranges.monday"),
        ({"timezone": "UTC", "ranges": {"fri-mon": ["08:00-17:00"]}}, "ranges.fri-mon"),
        ({"timezone": "UTC", "ranges": {"mon": ["17:00-08:00"]}}, "ranges.mon[0]"),
        ({"timezone": "UTC", "ranges": {"mon": ["08:00-24:30"]}}, "ranges.mon[0]"),
        ({"timezone": "UTC", "ranges": {"mon": ["8am-5pm"]}}, "ranges.mon[0]"),
        ({"timezone": "UTC", "ranges": {"mon": "08:00-17:00"}}, "ranges.mon"),
        ({"timezone": "UTC", "ranges": {"mon": ["08:00-12:00", "11:00-17:00"]}}, "ranges.mon[1]"),
        (
            {"timezone": "UTC", "ranges": {"mon-fri": ["08:00-17:00"], "fri": ["08:00-12:00"]}},
            "ranges.fri",
        ),
        ({"timezone": "UTC", "ranges": {}}, "ranges"),
        ({"timezone": "UTC", "ranges": {"mon": []}}, "ranges"),
        (
            {"timezone": "UTC", "ranges": {"mon": ["08:00-17:00"]}, "holidays": ["25/12/2026"]},
            "holidays[0]",
        ),
        (
            {"timezone": "UTC", "ranges": {"mon": ["08:00-17:00"]}, "makeup_weekday": "someday"},
            "makeup_weekday",
        ),
        ({"timezone": "UTC", "ranges": {"mon": ["08:00-17:00"]}, "shifts": []}, "shifts"),
    ],
)
def test_an_invalid_definition_names_the_field(definition, where):
    with pytest.raises(InvalidCalendar) as raised:
        from_definition(definition)
    assert raised.value.where == where


def test_an_unknown_calendar_is_a_named_error():
    with pytest.raises(UnknownCalendar, match="cn-5x8"):
        calendar("cn-6x9")


def test_a_calendar_of_holidays_only_says_so_instead_of_searching_forever():
    closed = weekly(
        "UTC",
        {"mon": ["09:00-10:00"]},
        holidays=[date(2026, 1, 5) + timedelta(weeks=n) for n in range(60)],
    )
    with pytest.raises(NoWorkingTime):
        add(closed, datetime(2026, 1, 1, tzinfo=UTC), 1)


# --- refused input -------------------------------------------------------------------------


def test_naive_datetimes_are_refused():
    naive = datetime(2026, 11, 19, 9, 0)
    aware = sh(2026, 11, 19, 9, 0)
    for call in (
        lambda: is_working(CN, naive),
        lambda: next_opening(CN, naive),
        lambda: add(CN, naive, 1),
        lambda: between(CN, naive, aware),
        lambda: between(CN, aware, naive),
    ):
        with pytest.raises(NaiveDatetime):
            call()


def test_bad_pauses_are_refused():
    start = sh(2026, 11, 19, 9, 0)
    with pytest.raises(InvalidPause):
        add(CN, start, 60, [(start + timedelta(hours=1), start)])
    with pytest.raises(InvalidPause):
        add(CN, start, 60, [(datetime(2026, 11, 19, 9), datetime(2026, 11, 19, 10))])
    with pytest.raises(InvalidPause):
        add(CN, start, 60, [(start,)])  # type: ignore[list-item]


def test_negative_or_non_numeric_minutes_are_refused():
    for bad in (-1, float("nan"), float("inf"), timedelta(minutes=-1)):
        with pytest.raises(InvalidMinutes):
            add(CN, sh(2026, 11, 19, 9, 0), bad)


# --- pauses --------------------------------------------------------------------------------


def test_a_pause_stops_the_clock_only_inside_working_time():
    start = sh(2026, 11, 19, 9, 0)
    # Paused from 17:00 to the next day's 10:00: 30 minutes on Thursday, 90 on Friday; 480 run
    # on Thursday, the last 60 on Friday from 10:00.
    pause = (sh(2026, 11, 19, 17, 0), sh(2026, 11, 20, 10, 0))
    assert add(CN, start, 540, [pause]) == sh(2026, 11, 20, 11, 0)
    assert between(CN, start, sh(2026, 11, 20, 11, 0), [pause]) == 540


def test_overlapping_pauses_in_any_order_count_once():
    start = sh(2026, 11, 19, 9, 0)
    pauses = [
        (sh(2026, 11, 19, 11, 0), sh(2026, 11, 19, 12, 0)),
        (sh(2026, 11, 19, 10, 0), sh(2026, 11, 19, 11, 30)),
        (sh(2026, 11, 19, 13, 0), sh(2026, 11, 19, 13, 0)),
    ]
    assert add(CN, start, 120, pauses) == sh(2026, 11, 19, 13, 0)


# --- DST: Europe/Berlin, last Sundays of March and October ---------------------------------


def test_a_24_hour_day_is_23_hours_long_in_spring_and_25_in_autumn():
    assert between(BERLIN_ALL_DAY, berlin(2026, 3, 29), berlin(2026, 3, 30)) == 23 * 60
    assert between(BERLIN_ALL_DAY, berlin(2026, 10, 25), berlin(2026, 10, 26)) == 25 * 60
    assert add(BERLIN_ALL_DAY, berlin(2026, 3, 28, 12, 0), 24 * 60) == berlin(2026, 3, 29, 13, 0)
    assert add(BERLIN_ALL_DAY, berlin(2026, 10, 24, 12, 0), 24 * 60) == berlin(2026, 10, 25, 11, 0)


def test_office_hours_are_ten_hours_on_both_dst_sundays():
    for sunday in (date(2026, 3, 29), date(2026, 10, 25)):
        assert (
            between(
                BERLIN_OFFICE,
                berlin(sunday.year, sunday.month, sunday.day),
                berlin(sunday.year, sunday.month, sunday.day, 23, 0),
            )
            == 600
        )
    assert add(BERLIN_OFFICE, berlin(2026, 3, 28, 17, 0), 120) == berlin(2026, 3, 29, 9, 0)


def test_a_range_across_the_spring_gap_counts_only_time_that_exists():
    night = weekly("Europe/Berlin", {"sun": ["00:00-06:00"]})
    assert between(night, berlin(2026, 3, 29), berlin(2026, 3, 30)) == 5 * 60
    in_gap = weekly("Europe/Berlin", {"sun": ["02:30-04:00"]})
    # 02:30 does not exist on that day: the range starts at the jump, 03:00 CEST.
    assert next_opening(in_gap, berlin(2026, 3, 29)) == berlin(2026, 3, 29, 3, 0)
    assert between(in_gap, berlin(2026, 3, 29), berlin(2026, 3, 30)) == 60
    gone = weekly("Europe/Berlin", {"sun": ["02:00-02:45"], "mon": ["09:00-10:00"]})
    assert between(gone, berlin(2026, 3, 29), berlin(2026, 3, 30)) == 0


def test_a_range_across_the_autumn_repeat_counts_the_repeated_hour():
    night = weekly("Europe/Berlin", {"sun": ["00:00-06:00"]})
    assert between(night, berlin(2026, 10, 25), berlin(2026, 10, 26)) == 7 * 60
    # An ambiguous end is its second occurrence: 00:00 CEST to 02:30 CET is three and a half hours.
    ends_in_repeat = weekly("Europe/Berlin", {"sun": ["00:00-02:30"]})
    assert between(ends_in_repeat, berlin(2026, 10, 25), berlin(2026, 10, 26)) == 210
    assert add(ends_in_repeat, berlin(2026, 10, 25), 210) == berlin(2026, 10, 25, 2, 30, fold=1)


@PROPERTIES
@given(start=around_dst, m=st.integers(min_value=0, max_value=4 * 1440))
def test_an_all_day_berlin_calendar_is_elapsed_time_across_dst(start, m):
    due = add(BERLIN_ALL_DAY, start, m)
    assert utc(due) == utc(start) + timedelta(minutes=m)
    assert between(BERLIN_ALL_DAY, start, due) == m


@PROPERTIES
@given(start=around_dst, m=st.integers(min_value=1, max_value=4 * 600))
def test_berlin_office_deadlines_land_inside_office_hours_across_dst(start, m):
    local = add(BERLIN_OFFICE, start, m).astimezone(BERLIN)
    assert 8 * 60 < local.hour * 60 + local.minute + local.second / 60 <= 18 * 60


# --- properties ----------------------------------------------------------------------------


@PROPERTIES
@given(cal=calendars, start=instants, m=minutes)
def test_between_inverts_add(cal, start, m):
    assert between(cal, start, add(cal, start, m)) == m


@PROPERTIES
@given(cal=calendars, a=instants, b=instants)
def test_add_inverts_between_up_to_the_last_closing(cal, a, b):
    a, b = sorted((utc(a), utc(b)))
    lands = add(cal, a, between(cal, a, b))
    assert a <= lands <= b
    assert between(cal, lands, b) == 0
    if a < b and is_working(cal, b - US):
        assert lands == b
    elif lands != a:
        # the end of the last working range before b: working just before it, closed at it
        assert is_working(cal, lands - US) and not is_working(cal, lands)


@PROPERTIES
@given(cal=calendars, start=instants, m1=minutes, m2=minutes)
def test_add_is_monotonic_in_minutes(cal, start, m1, m2):
    m1, m2 = min(m1, m2), max(m1, m2)
    assert utc(add(cal, start, m1)) <= utc(add(cal, start, m2))


@PROPERTIES
@given(cal=calendars, s1=instants, s2=instants, m=minutes)
def test_add_is_monotonic_in_the_start(cal, s1, s2, m):
    s1, s2 = sorted((s1, s2), key=utc)
    assert utc(add(cal, s1, m)) <= utc(add(cal, s2, m))


@PROPERTIES
@given(cal=calendars, a=instants, b=instants, c=instants)
def test_between_adds_up_over_consecutive_spans(cal, a, b, c):
    assert between(cal, a, b) + between(cal, b, c) == pytest.approx(between(cal, a, c), abs=1e-9)
    assert between(cal, a, b) == -between(cal, b, a)


@PROPERTIES
@given(
    start=instants,
    m=st.integers(min_value=0, max_value=10 * 1440),
    extra=st.integers(min_value=0, max_value=59_999_999),
)
def test_24x7_is_wall_time_arithmetic(start, m, extra):
    span = timedelta(minutes=m, microseconds=extra)
    assert utc(add(ALWAYS, start, span)) == utc(start) + span
    assert between(ALWAYS, start, utc(start) + span) == span / timedelta(minutes=1)
    assert is_working(ALWAYS, start) and next_opening(ALWAYS, start) == start


@PROPERTIES
@given(cal=calendars, at=instants)
def test_next_opening_is_working_time_and_nothing_works_before_it(cal, at):
    opening = next_opening(cal, at)
    assert is_working(cal, opening)
    assert between(cal, at, opening) == 0
    assert (utc(opening) == utc(at)) == is_working(cal, at)


pause_plans = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3 * 1440), st.integers(min_value=1, max_value=2 * 1440)
    ),
    max_size=4,
)


@PROPERTIES
@given(cal=calendars, start=instants, m=minutes, plan=pause_plans)
def test_pauses_shift_the_result_by_exactly_the_paused_business_minutes(cal, start, m, plan):
    # Disjoint pauses, the first possibly beginning before the start.
    start = utc(start)
    pauses, cursor = [], start - timedelta(hours=6)
    for gap, length in plan:
        begin = cursor + timedelta(minutes=gap)
        cursor = begin + timedelta(minutes=length)
        pauses.append((begin, cursor))
    due = add(cal, start, m, pauses)
    assume(due.year < 2029)
    paused = sum(
        between(cal, max(p0, start), min(p1, due))
        for p0, p1 in pauses
        if max(p0, start) < min(p1, due)
    )
    # float minutes: exact per span, rounded once more in the sum
    assert between(cal, start, due) == pytest.approx(m + paused, abs=1e-6)
    assert between(cal, start, due, pauses) == m
    assert due >= add(cal, start, m)


def test_a_day_ending_at_a_repeated_midnight_runs_to_the_second_midnight():
    # Cuba turns its clocks back from 01:00 to 00:00 (2026-11-01): Saturday's 24:00 comes twice.
    havana = ZoneInfo("America/Havana")
    evenings = weekly("America/Havana", {"sat": ["20:00-24:00"]})
    saturday = datetime(2026, 10, 31, 20, 0, tzinfo=havana)
    first_half_past, second_half_past = (
        datetime(2026, 11, 1, 0, 30, tzinfo=havana, fold=f) for f in (0, 1)
    )
    assert between(evenings, saturday, datetime(2026, 11, 1, 2, 0, tzinfo=havana)) == 5 * 60
    assert is_working(evenings, first_half_past) and not is_working(evenings, second_half_past)
    assert utc(add(evenings, first_half_past, 10)) == utc(first_half_past) + timedelta(minutes=10)
