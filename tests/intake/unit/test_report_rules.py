"""RP-1 / RP-2: months in Beijing time, and the sums of a report."""

import uuid
from datetime import UTC, datetime

import pytest

from services.intake.reporting import rules
from services.intake.reporting.rules import EngineerWork


def test_a_month_is_cut_in_beijing_time():
    period = rules.period("2026-11")
    assert period.start == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


def test_december_runs_into_the_next_year():
    assert rules.period("2026-12").end == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "26-11", "2026-1x", ""])
def test_a_month_that_is_not_yyyy_mm_is_refused(month):
    with pytest.raises(rules.InvalidMonth):
        rules.period(month)


def test_a_clock_stopped_after_its_deadline_counts_as_breached():
    due = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert rules.met_outcome(due, due) is rules.Outcome.met
    assert rules.met_outcome(due, due.replace(minute=1)) is rules.Outcome.breached


def test_sla_lines_name_every_kind_and_their_met_share():
    lines = rules.sla_by_kind([("response", "met", 3), ("response", "breached", 1)])
    assert set(lines) == set(rules.SLA_KINDS)
    assert (lines["response"].met, lines["response"].breached) == (3, 1)
    assert lines["response"].met_share == 0.75
    assert lines["restore"].met_share is None


def test_tickets_by_priority_show_every_priority_even_at_zero():
    assert rules.tickets_by_priority({"P2": 4}) == {"P1": 0, "P2": 4, "P3": 0, "P4": 0}


def test_engineer_lines_share_the_months_work_and_count_on_time_restores():
    a, b = uuid.UUID(int=1), uuid.UUID(int=2)
    lines = rules.engineer_lines(
        [EngineerWork(b, 1, 0, 0, 0), EngineerWork(a, 3, 2, 9, 2)], tickets_completed=4
    )
    assert [line.engineer_id for line in lines] == [a, b]
    assert (lines[0].share_of_work, lines[0].on_time_share, lines[0].mean_rating) == (
        0.75,
        0.6667,
        4.5,
    )
    assert (lines[1].on_time_share, lines[1].mean_rating) == (0.0, None)


def test_an_engineer_only_rated_has_no_shares():
    [line] = rules.engineer_lines([EngineerWork(uuid.UUID(int=1), 0, 0, 5, 1)], 0)
    assert (line.share_of_work, line.on_time_share, line.mean_rating) == (None, None, 5.0)
