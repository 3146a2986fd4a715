from datetime import UTC, datetime, timedelta

import pytest

from services.escalation.clocks.policy import AroundTheClock, ClockKind, is_breached, plan_clocks

OPENED = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # a Friday evening


def clock_of(kind, priority):
    return next(p for p in plan_clocks(priority, OPENED, AroundTheClock()) if p.kind is kind)


def test_every_ticket_gets_a_thirty_minute_response_clock():
    for priority in ("P1", "P2", "P3", "P4"):
        response = clock_of(ClockKind.response, priority)
        assert response.due_at == OPENED + timedelta(minutes=30)


@pytest.mark.parametrize(("priority", "hours"), [("P1", 1), ("P2", 2), ("P3", 4), ("P4", 24)])
def test_the_restore_clock_follows_the_priority(priority, hours):
    restore = clock_of(ClockKind.restore, priority)
    assert restore.due_at == OPENED + timedelta(hours=hours)


def test_around_the_clock_counts_nights_and_weekends():
    assert AroundTheClock().add(OPENED, timedelta(hours=24)) == OPENED + timedelta(days=1)


def test_a_clock_met_on_time_is_not_breached_even_later():
    assert not is_breached(OPENED, OPENED - timedelta(seconds=1), now=OPENED + timedelta(days=3))


def test_an_open_clock_past_due_is_breached():
    assert is_breached(OPENED, None, now=OPENED + timedelta(seconds=1))
    assert not is_breached(OPENED, None, now=OPENED)


def test_a_clock_met_late_stays_breached():
    assert is_breached(OPENED, OPENED + timedelta(minutes=1), now=OPENED + timedelta(minutes=2))
