"""IV-5: an end of production is never in the past, and under 6 months ahead it is late."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from services.inventory.eol.rules import (
    EolInPast,
    OtherManufacturer,
    late_notice,
    may_announce,
)
from services.inventory.eol.schemas import EolCreate
from shared.businesstime import add_months

TODAY = date(2026, 11, 26)


def test_a_date_before_today_is_refused():
    with pytest.raises(EolInPast, match="end of production is in the past"):
        late_notice(date(2026, 11, 25), TODAY)


def test_today_and_anything_under_6_months_ahead_is_accepted_as_late_notice():
    assert late_notice(TODAY, TODAY)
    assert late_notice(date(2027, 5, 25), TODAY)


def test_exactly_6_calendar_months_ahead_is_not_late():
    assert not late_notice(date(2027, 5, 26), TODAY)
    assert not late_notice(date(2028, 1, 1), TODAY)


@pytest.mark.parametrize(
    ("day", "then"),
    [
        (date(2026, 8, 31), date(2027, 2, 28)),
        (date(2027, 8, 31), date(2028, 2, 29)),
        (date(2026, 12, 15), date(2027, 6, 15)),
        (date(2026, 3, 31), date(2026, 9, 30)),
    ],
)
def test_six_months_on_is_the_same_day_or_the_months_last(day, then):
    assert add_months(day, 6) == then


@given(st.dates(min_value=date(1970, 1, 1), max_value=date(2199, 1, 1)), st.integers(0, 60))
def test_months_added_land_in_the_right_month_never_after_the_same_day(day, months):
    then = add_months(day, months)
    assert (then.year * 12 + then.month) - (day.year * 12 + day.month) == months
    assert then.day <= day.day


def test_a_vendor_announces_for_its_own_manufacturer_only_and_an_admin_for_any():
    may_announce("huawei", vendor="huawei", is_admin=False)
    may_announce("huawei", vendor=None, is_admin=True)
    with pytest.raises(OtherManufacturer):
        may_announce("huawei", vendor="cisco", is_admin=False)
    with pytest.raises(OtherManufacturer):
        may_announce("huawei", vendor=None, is_admin=False)


@pytest.mark.parametrize(
    "target", [{}, {"part_number": "HW-PSU", "model": "S5735"}], ids=["neither", "both"]
)
def test_an_announcement_names_exactly_one_of_a_part_and_a_model(target):
    with pytest.raises(ValidationError, match="exactly one of part_number and model"):
        EolCreate(manufacturer="huawei", end_of_production=TODAY, **target)


@pytest.mark.parametrize("target", [{"part_number": "HW-PSU"}, {"model": "S5735"}])
def test_a_part_or_a_model_alone_is_an_announcement(target):
    assert EolCreate(manufacturer="huawei", end_of_production=TODAY, **target)
