"""IN-9 / IV-5: when each advance notice is due, and who gets one."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from services.intake.notices import rules
from services.intake.notices.rules import Severity
from shared.businesstime import add_months

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("severity", "after"),
    [
        (Severity.critical, timedelta(0)),
        (Severity.major, timedelta(days=1)),
        (Severity.minor, timedelta(days=7)),
    ],
)
def test_an_advisorys_severity_sets_its_send_by_time(severity, after):
    assert rules.advisory_send_by(severity, NOW) == NOW + after


def test_every_severity_has_a_send_by_delay():
    assert set(rules.SEND_WITHIN) == set(Severity)


def test_an_end_of_life_notice_is_due_six_calendar_months_ahead_at_midnight_utc():
    assert rules.eol_send_by(date(2027, 12, 31), NOW) == datetime(2027, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("end", "notice"),
    [
        (date(2027, 8, 31), date(2027, 2, 28)),
        (date(2028, 8, 31), date(2028, 2, 29)),
        (date(2027, 3, 15), date(2026, 9, 15)),
        (date(2027, 1, 31), date(2026, 7, 31)),
    ],
)
def test_six_months_before_keeps_the_day_or_takes_the_months_last(end, notice):
    assert add_months(end, -6) == notice


def test_an_end_of_life_less_than_six_months_away_is_told_at_once():
    assert rules.eol_send_by(date(2027, 3, 1), NOW) == NOW


def test_one_notice_per_customer_with_each_serial_once_and_sorted():
    a, b = uuid.UUID(int=1), uuid.UUID(int=2)
    found = rules.serials_by_customer([(a, "SN-2"), (b, "SN-9"), (a, "SN-1"), (a, "SN-2")])
    assert found == {a: ["SN-1", "SN-2"], b: ["SN-9"]}
