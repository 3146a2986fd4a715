"""The phone's steps on real PostgreSQL, one unit of work each (never committed): each move
with its time, position and report; retries; late facts; the engineer's load counted down once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from services.dispatch.assignments import handlers, store
from services.dispatch.assignments.commands import ActOnAssignment, ReportPosition
from services.dispatch.assignments.lifecycle import (
    AssignmentNotFound,
    AssignmentStatus,
    IllegalMove,
    Move,
)
from services.dispatch.assignments.rules import OccurredOutsideWindow, RepeatedSerial
from shared.clock import FrozenClock
from shared.db import UnitOfWork
from shared.events.dispatch import (
    AssignmentAccepted,
    AssignmentArrived,
    AssignmentCompleted,
    AssignmentDeclined,
    AssignmentDeparted,
    Position,
)
from shared.events.intake import PartUsed, Report
from tests.dispatch.integration.jobs import (
    CONTACT,
    NOW,
    a_job,
    an_engineer,
    assignment_row,
    history_of,
    load_of,
)

S = AssignmentStatus
REPORT = Report(
    work_done="Replaced the PSU",
    root_cause="Fan seized",
    fault_type="hardware",
    parts_used=[PartUsed(part_number="PSU", serial_out="PSU-1", serial_in="PSU-2")],
    minutes_on_site=40,
)
DEPOT = Position(latitude=31.20, longitude=121.50, accuracy_m=30.0)
SITE = Position(latitude=31.23, longitude=121.47, accuracy_m=8.0)


@pytest.fixture
async def uow(pool, dispatch_settings) -> AsyncIterator[UnitOfWork]:
    async with UnitOfWork(pool, dispatch_settings, clock=FrozenClock(NOW)) as work:
        yield work


@pytest.fixture
def replaced(monkeypatch) -> list[tuple]:
    """Who asked dispatching to offer a role again."""
    calls: list[tuple] = []

    async def replace(uow, ticket_id, role, *, trigger):
        calls.append((ticket_id, role, trigger))

    monkeypatch.setattr(handlers.dispatching, "replace", replace)
    return calls


def at(minutes: float):
    return NOW - timedelta(hours=2) + timedelta(minutes=minutes)


def step(job, how: Move, minutes: float, *, engineer_id="own", **extra) -> ActOnAssignment:
    return ActOnAssignment(
        assignment_id=job.assignment_id,
        engineer_id=job.engineer_id if engineer_id == "own" else engineer_id,
        move=how,
        occurred_at=at(minutes),
        by=str(job.engineer_id),
        **extra,
    )


def published(uow) -> list:
    return [event for event, _ in uow.events]


async def test_a_job_goes_from_accepted_to_completed_each_step_at_the_phones_time(uow, replaced):
    job = await a_job(uow.conn)
    await handlers.act(step(job, Move.accept, 0), uow)
    await handlers.act(step(job, Move.depart, 10, position=DEPOT), uow)
    await handlers.act(step(job, Move.arrive, 50, position=SITE), uow)
    answer = await handlers.act(step(job, Move.complete, 90, report=REPORT), uow)

    assert answer["status"] == "completed" and answer["completed_at"] == at(90)
    row = await assignment_row(uow.conn, job.assignment_id)
    assert (row["accepted_at"], row["departed_at"], row["arrived_at"]) == (at(0), at(10), at(50))
    assert row["ended_at"] == at(90) and row["updated_at"] == NOW and row["reason"] is None
    assert row["depart_position"] == DEPOT.model_dump(mode="json")
    assert row["arrive_position"] == SITE.model_dump(mode="json")
    assert row["report"] == REPORT.model_dump(mode="json")
    assert await load_of(uow.conn, job.engineer_id) == 0
    engineer = await uow.conn.fetchrow(
        "SELECT position_latitude, position_longitude, position_at FROM dispatch.engineers "
        "WHERE id = $1",
        job.engineer_id,
    )
    assert tuple(engineer) == (SITE.latitude, SITE.longitude, at(50))

    accepted, departed, arrived, completed = published(uow)
    assert isinstance(accepted, AssignmentAccepted) and accepted.accepted_at == at(0)
    assert isinstance(departed, AssignmentDeparted) and departed.position == DEPOT
    assert isinstance(arrived, AssignmentArrived) and arrived.occurred_at == at(50)
    assert isinstance(completed, AssignmentCompleted)
    assert (completed.report, completed.role, completed.occurred_at) == (REPORT, "lead", at(90))
    assert await history_of(uow.conn, job.assignment_id) == [
        ("accept", "assigned", "accepted"),
        ("depart", "accepted", "departed"),
        ("arrive", "departed", "on_site"),
        ("complete", "on_site", "completed"),
    ]
    assert replaced == []


async def test_a_supports_completion_says_it_was_the_support(uow):
    job = await a_job(uow.conn, status="on_site", role="support", accepted_at=at(0))
    await handlers.act(step(job, Move.complete, 60, report=REPORT), uow)
    [completed] = published(uow)
    assert completed.role == "support"


async def test_a_step_taken_already_is_a_retry_that_changes_and_publishes_nothing(uow):
    job = await a_job(uow.conn)
    first = await handlers.act(step(job, Move.accept, 0), uow)
    again = await handlers.act(step(job, Move.accept, 3), uow)
    assert again == first and again["accepted_at"] == at(0)
    assert len(published(uow)) == 1
    assert await history_of(uow.conn, job.assignment_id) == [("accept", "assigned", "accepted")]


async def test_a_depart_reported_after_the_arrive_is_recorded_at_its_time_and_moves_nothing_back(
    uow,
):
    job = await a_job(uow.conn, status="accepted", accepted_at=at(0))
    await handlers.act(step(job, Move.arrive, 50, position=SITE), uow)
    answer = await handlers.act(step(job, Move.depart, 10, position=DEPOT), uow)

    assert answer["status"] == "on_site"
    assert (answer["departed_at"], answer["arrived_at"]) == (at(10), at(50))
    row = await assignment_row(uow.conn, job.assignment_id)
    assert row["depart_position"] == DEPOT.model_dump(mode="json")
    # The late departure's position is older than the arrival's: the engineer is on site.
    assert await uow.conn.fetchval(
        "SELECT position_at FROM dispatch.engineers WHERE id = $1", job.engineer_id
    ) == at(50)
    late = published(uow)[-1]
    assert isinstance(late, AssignmentDeparted) and late.occurred_at == at(10)
    assert await history_of(uow.conn, job.assignment_id) == [
        ("arrive", "accepted", "on_site"),
        ("depart", "on_site", "on_site"),
    ]
    assert await load_of(uow.conn, job.engineer_id) == 1


async def test_an_accept_reported_after_the_completion_is_recorded_without_reopening(uow):
    job = await a_job(uow.conn, status="on_site", arrived_at=at(40))
    await handlers.act(step(job, Move.complete, 90, report=REPORT), uow)
    answer = await handlers.act(step(job, Move.accept, 1), uow)
    assert (answer["status"], answer["accepted_at"]) == ("completed", at(1))
    assert await load_of(uow.conn, job.engineer_id) == 0


async def test_a_decline_ends_the_job_with_its_reason_frees_the_engineer_and_asks_for_another(
    uow, replaced
):
    job = await a_job(uow.conn, role="support")
    answer = await handlers.act(step(job, Move.decline, 2, reason="On another P1"), uow)
    assert (answer["status"], answer["reason"], answer["ended_at"]) == (
        "declined",
        "On another P1",
        at(2),
    )
    assert await load_of(uow.conn, job.engineer_id) == 0
    [declined] = published(uow)
    assert isinstance(declined, AssignmentDeclined) and declined.reason == "On another P1"
    assert replaced == [(job.ticket_id, "support", "assignment.declined")]

    with pytest.raises(IllegalMove) as refused:
        await handlers.act(step(job, Move.decline, 3, reason="again"), uow)
    assert refused.value.context["current_status"] == "declined"
    assert await load_of(uow.conn, job.engineer_id) == 0


async def test_ending_an_ended_assignment_changes_nothing_and_counts_the_load_down_once(uow):
    job = await a_job(uow.conn)
    assert await store.end(uow.conn, job.assignment_id, S.timed_out, NOW, "timed_out")
    assert not await store.end(uow.conn, job.assignment_id, S.cancelled, NOW, "ticket.cancelled")
    row = await assignment_row(uow.conn, job.assignment_id)
    assert (row["status"], row["reason"]) == ("timed_out", "timed_out")
    assert await load_of(uow.conn, job.engineer_id) == 0


async def test_an_illegal_step_names_the_status_and_the_steps_allowed_and_changes_nothing(uow):
    job = await a_job(uow.conn, status="accepted", accepted_at=at(0))
    with pytest.raises(IllegalMove) as refused:
        await handlers.act(step(job, Move.complete, 30, report=REPORT), uow)
    assert refused.value.context == {
        "current_status": "accepted",
        "move": "complete",
        "allowed": ["depart", "arrive", "decline", "cancel"],
    }
    assert (await assignment_row(uow.conn, job.assignment_id))["status"] == "accepted"


async def test_another_engineers_assignment_is_not_found_and_a_dispatcher_may_act_for_anyone(uow):
    job = await a_job(uow.conn)
    stranger = await an_engineer(uow.conn)
    with pytest.raises(AssignmentNotFound):
        await handlers.act(step(job, Move.accept, 0, engineer_id=stranger), uow)
    answer = await handlers.act(step(job, Move.accept, 0, engineer_id=None), uow)
    assert answer["status"] == "accepted"


async def test_a_phone_time_outside_the_window_is_refused_before_anything_changes(uow):
    job = await a_job(uow.conn)
    late = ActOnAssignment(
        job.assignment_id, job.engineer_id, Move.accept, NOW - timedelta(days=8), by="x"
    )
    ahead = ActOnAssignment(
        job.assignment_id, job.engineer_id, Move.accept, NOW + timedelta(minutes=6), by="x"
    )
    for command in (late, ahead):
        with pytest.raises(OccurredOutsideWindow):
            await handlers.act(command, uow)
    assert (await assignment_row(uow.conn, job.assignment_id))["status"] == "assigned"


async def test_a_report_naming_one_serial_twice_is_refused(uow):
    job = await a_job(uow.conn, status="on_site", arrived_at=at(40))
    twice = REPORT.model_copy(update={"parts_used": REPORT.parts_used * 2})
    with pytest.raises(RepeatedSerial):
        await handlers.act(step(job, Move.complete, 60, report=twice), uow)


async def test_the_newest_phone_time_wins_the_engineers_position(uow):
    engineer_id = await an_engineer(uow.conn)
    newer = await handlers.report_position(ReportPosition(engineer_id, SITE, at(50)), uow)
    older = await handlers.report_position(ReportPosition(engineer_id, DEPOT, at(10)), uow)
    assert newer == {
        "latitude": SITE.latitude,
        "longitude": SITE.longitude,
        "at": at(50),
        "applied": True,
    }
    assert older == {**newer, "applied": False}


async def test_the_phones_list_carries_ticket_site_and_contact_and_only_live_jobs_by_default(uow):
    engineer_id = await an_engineer(uow.conn, load=0)
    live = await a_job(uow.conn, engineer_id=engineer_id)
    await a_job(uow.conn, engineer_id=engineer_id, status="completed", site=False)
    [mine] = await store.of_engineer(uow.conn, engineer_id, after=None, limit=10, status=None)
    assert mine["id"] == live.assignment_id and mine["contact"] == CONTACT
    assert mine["ticket"]["summary"] == "Uplink flapping" and mine["ticket"]["priority"] == "P2"
    assert mine["site"] == {
        "name": "Data centre 2",
        "address": "88 Century Avenue",
        "latitude": 31.23,
        "longitude": 121.47,
    }
    [done] = await store.of_engineer(
        uow.conn, engineer_id, after=None, limit=10, status="completed"
    )
    assert done["site"] is None
