"""DS-6's monthly inspection and DS-8's site check, as pure rules."""

import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.dispatch.inspections import rules
from services.dispatch.inspections.rules import (
    Inspection,
    InspectionReported,
    InspectionStatus,
    InspectionUnassigned,
    Inspector,
    ReadingName,
    Readings,
    RemedyMissing,
    choose_inspector,
)

GOOD = Readings(
    supply_voltage_v=220.0,
    frequency_hz=50.0,
    earth_resistance_ohm=0.4,
    ups_output_sufficient=True,
    ups_load_percent=45.0,
    room_temperature_c=22.0,
    humidity_percent=50.0,
    em_interference=False,
    corrosives=False,
)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def nonconforming(**changes) -> list[ReadingName]:
    return [n.reading for n in rules.check(replace(GOOD, **changes))]


def test_a_site_within_every_limit_has_no_nonconformity():
    assert rules.check(GOOD) == []


def below(x: float) -> float:
    return math.nextafter(x, -math.inf)


def above(x: float) -> float:
    return math.nextafter(x, math.inf)


# Each limit at its boundary (conforms) and the nearest value beyond it (does not).
@pytest.mark.parametrize(
    ("reading", "at_limit", "beyond"),
    [
        (ReadingName.supply_voltage_v, 198.0, below(198.0)),
        (ReadingName.supply_voltage_v, 242.0, above(242.0)),
        (ReadingName.frequency_hz, 49.0, below(49.0)),
        (ReadingName.frequency_hz, 51.0, above(51.0)),
        (ReadingName.earth_resistance_ohm, below(1.0), 1.0),
        (ReadingName.room_temperature_c, 5.0, below(5.0)),
        (ReadingName.room_temperature_c, 35.0, above(35.0)),
        (ReadingName.humidity_percent, 30.0, below(30.0)),
        (ReadingName.humidity_percent, 85.0, above(85.0)),
        (ReadingName.ups_output_sufficient, True, False),
        (ReadingName.em_interference, False, True),
        (ReadingName.corrosives, False, True),
    ],
)
def test_each_limit_holds_at_its_boundary_and_fails_beyond_it(reading, at_limit, beyond):
    assert nonconforming(**{reading.value: at_limit}) == []
    found = rules.check(replace(GOOD, **{reading.value: beyond}))
    assert [(n.reading, n.value, n.limit) for n in found] == [
        (reading, beyond, rules.LIMITS[reading].text)
    ]


@given(st.floats(min_value=0, max_value=1000, allow_nan=False))
def test_the_supply_voltage_conforms_exactly_between_198_and_242_volts(volts):
    assert (nonconforming(supply_voltage_v=volts) == []) == (198.0 <= volts <= 242.0)


@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test_the_frequency_conforms_exactly_between_49_and_51_hertz(hertz):
    assert (nonconforming(frequency_hz=hertz) == []) == (49.0 <= hertz <= 51.0)


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_the_earth_conforms_exactly_below_one_ohm(ohms):
    assert (nonconforming(earth_resistance_ohm=ohms) == []) == (ohms < 1.0)


@given(st.floats(min_value=-80, max_value=120, allow_nan=False))
def test_the_room_conforms_exactly_between_5_and_35_degrees(celsius):
    assert (nonconforming(room_temperature_c=celsius) == []) == (5.0 <= celsius <= 35.0)


@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test_the_humidity_conforms_exactly_between_30_and_85_percent(percent):
    assert (nonconforming(humidity_percent=percent) == []) == (30.0 <= percent <= 85.0)


@given(st.floats(min_value=0, max_value=1000, allow_nan=False))
def test_the_ups_load_is_recorded_and_never_a_nonconformity_of_its_own(percent):
    assert nonconforming(ups_load_percent=percent) == []


def test_every_reading_but_the_ups_load_has_a_limit():
    assert set(rules.LIMITS) == set(ReadingName) - {ReadingName.ups_load_percent}


def test_nonconformities_are_listed_in_the_reports_order():
    assert nonconforming(corrosives=True, supply_voltage_v=250.0, humidity_percent=90.0) == [
        ReadingName.supply_voltage_v,
        ReadingName.humidity_percent,
        ReadingName.corrosives,
    ]


def test_each_nonconformity_carries_its_remedy():
    found = rules.site_check(
        replace(GOOD, earth_resistance_ohm=1.4),
        {ReadingName.earth_resistance_ohm: "  Re-bond the rack earth  "},
    )
    assert [n.as_dict() for n in found] == [
        {
            "reading": "earth_resistance_ohm",
            "value": 1.4,
            "limit": "< 1 Ω",
            "remedy": "Re-bond the rack earth",
        }
    ]


def test_a_nonconformity_without_a_remedy_is_refused_naming_every_reading_lacking_one():
    readings = replace(GOOD, earth_resistance_ohm=1.4, humidity_percent=90.0, corrosives=True)
    with pytest.raises(RemedyMissing) as refused:
        rules.site_check(
            readings,
            {ReadingName.humidity_percent: "Install a dehumidifier", ReadingName.corrosives: " "},
        )
    assert refused.value.context == {"readings": ["earth_resistance_ohm", "corrosives"]}
    assert "earth_resistance_ohm (1.4; limit < 1 Ω)" in refused.value.detail


def test_a_remedy_for_a_conforming_reading_is_advice_and_no_nonconformity():
    assert rules.site_check(GOOD, {ReadingName.humidity_percent: "Watch the humidity"}) == []


def test_the_report_keeps_readings_nonconformities_remedies_and_when_it_was_done():
    readings = replace(GOOD, em_interference=True)
    remedies = {ReadingName.em_interference: "Move the rack away from the lift motor"}
    document = rules.report_document(
        readings,
        rules.site_check(readings, remedies),
        remedies,
        findings="Dusty filters",
        advice="Clean quarterly",
        occurred_at=datetime(2026, 11, 12, 10, 30, tzinfo=UTC),
        filed_by="engineer-1",
    )
    assert document["readings"]["em_interference"] is True
    assert document["nonconformities"][0]["remedy"] == "Move the rack away from the lift motor"
    assert document["remedies"] == {"em_interference": "Move the rack away from the lift motor"}
    assert document["occurred_at"] == "2026-11-12T10:30:00+00:00"


# --- the month and its due date ------------------------------------------------------------


def test_the_month_is_the_sites_across_midnight_at_the_months_end():
    # 23:59:59 on 30 November in Shanghai is 15:59:59 UTC; a second later it is December there.
    last_second = datetime(2026, 11, 30, 15, 59, 59, tzinfo=UTC)
    assert rules.month_of(last_second, SHANGHAI) == "2026-11"
    assert rules.month_of(last_second + timedelta(seconds=1), SHANGHAI) == "2026-12"
    assert rules.month_of(last_second + timedelta(seconds=1), UTC) == "2026-11"


def test_a_site_west_of_utc_is_still_in_the_old_month_when_utc_has_turned():
    new_year = datetime(2027, 1, 1, 3, 0, tzinfo=UTC)
    assert rules.month_of(new_year, ZoneInfo("America/New_York")) == "2026-12"
    assert rules.local_date(new_year, ZoneInfo("America/New_York")) == date(2026, 12, 31)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_an_instant_falls_in_the_month_whose_due_date_is_on_or_after_its_local_day(naive):
    at = naive.replace(tzinfo=UTC)
    month = rules.month_of(at, SHANGHAI)
    due = rules.due_by(month)
    assert rules.local_date(at, SHANGHAI) <= due
    assert (due + timedelta(days=1)).day == 1 and due.strftime("%Y-%m") == month


@pytest.mark.parametrize(
    ("month", "last"),
    [("2026-11", 30), ("2026-12", 31), ("2027-02", 28), ("2028-02", 29), ("2100-02", 28)],
)
def test_the_inspection_is_due_by_the_months_last_day(month, last):
    assert rules.due_by(month).day == last


def test_no_site_or_an_unknown_zone_schedules_in_utc():
    assert rules.zone(None) is UTC
    assert rules.zone("Mars/Olympus_Mons") is UTC
    assert rules.zone("Asia/Shanghai") == SHANGHAI


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        rules.month_of(datetime(2026, 11, 30), SHANGHAI)


def test_a_contract_is_inspected_from_its_first_to_its_last_day_of_warranty():
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    assert rules.in_warranty(start, end, start) and rules.in_warranty(start, end, end)
    assert not rules.in_warranty(start, end, date(2025, 12, 31))
    assert not rules.in_warranty(start, end, date(2027, 1, 1))


# --- who may report, and who inspects ------------------------------------------------------


def inspection(status=InspectionStatus.scheduled, engineer_id=None) -> Inspection:
    return Inspection(uuid4(), uuid4(), None, "2026-11", engineer_id, status)


def test_an_open_inspection_is_reported_for_its_engineer():
    engineer_id = uuid4()
    assert rules.may_report(inspection(engineer_id=engineer_id)) == engineer_id


def test_a_completed_inspection_takes_no_second_report():
    with pytest.raises(InspectionReported) as refused:
        rules.may_report(inspection(InspectionStatus.completed, uuid4()))
    assert refused.value.context == {"current_status": "completed"}


def test_an_inspection_without_an_engineer_takes_no_report():
    with pytest.raises(InspectionUnassigned):
        rules.may_report(inspection())


def inspector(regions=(), team="site", load=0) -> Inspector:
    return Inspector(uuid4(), team, frozenset(regions), load)


def test_the_least_loaded_engineer_of_the_sites_region_inspects():
    busy, free = inspector({"east"}, load=3), inspector({"east"}, load=1)
    assert choose_inspector("east", [busy, free, inspector({"west"})]) == free


def test_the_mobile_pool_covers_every_region():
    pool = inspector(team="mobile_pool", load=1)
    assert choose_inspector("east", [inspector({"west"}), pool]) == pool


def test_at_equal_load_the_regions_own_engineer_goes_before_the_pool():
    pool, local = inspector(team="mobile_pool", load=1), inspector({"east"}, load=1)
    assert choose_inspector("east", [pool, local]) == local


def test_nobody_covering_the_region_leaves_the_inspection_unassigned():
    assert choose_inspector("east", [inspector({"west"})]) is None


def test_a_site_without_a_region_may_go_to_anyone():
    anyone = inspector({"west"}, load=0)
    assert choose_inspector(None, [inspector({"east"}, load=2), anyone]) == anyone
