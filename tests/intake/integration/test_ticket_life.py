"""A ticket's life after creation on real PostgreSQL: the centre's moves, dispatch's facts,
service reports, repeat failures, follow-ups and the timeline that records them all."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from services.intake.followups import handlers as followups
from services.intake.followups.commands import RecordFollowUp
from services.intake.followups.rules import CallInTheFuture, Outcome
from services.intake.reporting import handlers as reporting
from services.intake.reports import handlers as reports
from services.intake.reports import store as reports_store
from services.intake.reports.rules import FaultType, NoReport, Part, RepeatedSerial, Report, Source
from services.intake.tickets import handlers
from services.intake.tickets.classification import Priority
from services.intake.tickets.commands import (
    AwaitCustomer,
    CancelTicket,
    CloseTicket,
    ReclassifyTicket,
    ReopenTicket,
    ResolveTicket,
    ResumeTicket,
)
from services.intake.tickets.lifecycle import IllegalMove, ReopenWindowClosed, TicketNotFound
from services.intake.timeline import handlers as timeline
from shared.clock import FrozenClock
from shared.db import UnitOfWork
from shared.events.dispatch import (
    AssignmentAccepted,
    AssignmentArrived,
    AssignmentCancelled,
    AssignmentCompleted,
    AssignmentCreated,
    AssignmentDeclined,
    AssignmentDeparted,
    AssignmentTimedOut,
)
from shared.events.escalation import SlaBreached, SlaMet
from shared.events.intake import (
    AssetRepeatFailure,
    TicketAwaitingCustomer,
    TicketCancelled,
    TicketClosed,
    TicketReclassified,
    TicketReopened,
    TicketResolved,
    TicketResumed,
)
from shared.outbox_rows import envelope_for

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CENTRE = "call-centre"
ENGINEER = uuid.uuid4()


@pytest.fixture
async def uow(pool, intake_settings) -> AsyncIterator[UnitOfWork]:
    # Never committed: the test's rows go with the rollback.
    async with UnitOfWork(pool, intake_settings, clock=FrozenClock(NOW)) as work:
        yield work


def later(uow: UnitOfWork, **delta: float) -> datetime:
    """Move the unit of work's business time on, as a later unit of work would read it."""
    uow.now = uow.now + timedelta(**delta)
    return uow.now


async def a_ticket(uow: UnitOfWork, *, status: str = "new", serial: str | None = None) -> uuid.UUID:
    customer_id = await uow.conn.fetchval(
        "SELECT id FROM intake.customers WHERE name = 'Bank of Tests'"
    ) or await uow.conn.fetchval(
        "INSERT INTO intake.customers (id, name, region, created_at) "
        "VALUES ($1, 'Bank of Tests', 'east', $2) RETURNING id",
        uuid.uuid4(),
        NOW,
    )
    ticket_id = uuid.uuid4()
    await uow.conn.execute(
        """INSERT INTO intake.tickets (id, number, customer_id, summary, description, channel,
                                       category, impact, priority, status, created_by, created_at,
                                       updated_at, asset_serial, asset_model, reported_at,
                                       occurrences, last_occurred_at)
           VALUES ($1, $2, $3, 'Switch down', '', 'phone', 'network', 'outage', 'P2', $4, 'test',
                   $5, $5, $6, $7, $5, 1, $5)""",
        ticket_id,
        f"T-{ticket_id.hex[:10]}",
        customer_id,
        status,
        NOW,
        serial,
        None if serial is None else "S5735",
    )
    return ticket_id


async def an_asset(uow: UnitOfWork, serial: str, *, warranty_end: date) -> None:
    """An installed switch at a Shanghai site, under a contract."""
    customer_id = await uow.conn.fetchval(
        "SELECT id FROM intake.customers WHERE name = 'Bank of Tests'"
    )
    site_id, contract_id = uuid.uuid4(), uuid.uuid4()
    await uow.conn.execute(
        """INSERT INTO intake.sites (id, customer_id, name, address, latitude, longitude, timezone,
                                     region, created_at, updated_at)
           VALUES ($1, $2, 'DC 1', '1 Road', 31.2, 121.5, 'Asia/Shanghai', 'east', $3, $3)""",
        site_id,
        customer_id,
        NOW,
    )
    await uow.conn.execute(
        """INSERT INTO intake.contracts (id, customer_id, coverage, emergency_onsite_7x24,
                                         onsite_minutes, calendar, targets, warranty_start,
                                         warranty_end, ladder, created_at, updated_at)
           VALUES ($1, $2, '5x8', false, 360, 'cn-5x8', '{}', '2026-01-01', '2026-12-31', '[]',
                   $3, $3)""",
        contract_id,
        customer_id,
        NOW,
    )
    await uow.conn.execute(
        """INSERT INTO intake.assets (id, customer_id, site_id, contract_id, manufacturer, model,
                                      serial, accepted_on, warranty_end, created_at, updated_at)
           VALUES ($1, $2, $3, $4, 'huawei', 'S5735', $5, '2026-01-01', $6, $7, $7)""",
        uuid.uuid4(),
        customer_id,
        site_id,
        contract_id,
        serial,
        warranty_end,
        NOW,
    )


def a_report(fault_type: FaultType = FaultType.hardware, *parts: Part) -> Report:
    return Report(
        work_done="Replaced the power supply",
        root_cause="PSU fan seized",
        fault_type=fault_type,
        parts_used=parts or (Part("02312PSU", serial_out="PSU-1", serial_in="PSU-2"),),
        minutes_on_site=40,
        engineer_ids=(ENGINEER,),
    )


def published(uow: UnitOfWork, kind: type | None = None) -> list:
    return [e for e, _ in uow.events if kind is None or isinstance(e, kind)]


async def entries(uow: UnitOfWork, ticket_id: uuid.UUID) -> list:
    page = await timeline.page(uow, ticket_id, after=0, limit=100)
    assert page is not None
    return [r.entry for r in page]


def fact(event) -> tuple:
    """A consumed event as the consumer hands it over: the event and its envelope."""
    return event, envelope_for(event, "/fieldops/dispatch")


def completed(ticket_id: uuid.UUID, at: datetime, **report) -> AssignmentCompleted:
    return AssignmentCompleted.model_validate(
        {
            **AssignmentCompleted.example,
            "ticket_id": str(ticket_id),
            "engineer_id": str(ENGINEER),
            "occurred_at": at.isoformat(),
            "report": {**AssignmentCompleted.example["report"], **report},
        }
    )


# --- the centre's moves ---


async def test_a_hold_remembers_where_it_was_laid_and_resume_returns_there(uow):
    ticket_id = await a_ticket(uow, status="assigned")
    held = await handlers.await_customer(AwaitCustomer(ticket_id, "Room locked", CENTRE), uow)
    assert (held["status"], held["held_from"]) == ("awaiting_customer", "assigned")
    later(uow, hours=2)
    resumed = await handlers.resume(ResumeTicket(ticket_id, None, CENTRE), uow)
    assert (resumed["status"], resumed["held_from"]) == ("assigned", None)
    [paused] = published(uow, TicketAwaitingCustomer)
    [back] = published(uow, TicketResumed)
    assert (paused.reason, paused.at, back.at) == ("Room locked", NOW, NOW + timedelta(hours=2))
    [hold, resume] = await entries(uow, ticket_id)
    assert (hold.kind, hold.actor, hold.detail) == (
        "ticket.awaiting_customer",
        CENTRE,
        {"from": "assigned", "to": "awaiting_customer", "reason": "Room locked"},
    )
    assert (resume.kind, resume.detail["to"]) == ("ticket.resumed", "assigned")


async def test_an_illegal_move_names_the_status_and_the_moves_allowed_and_changes_nothing(uow):
    ticket_id = await a_ticket(uow, status="closed")
    with pytest.raises(IllegalMove) as refused:
        await handlers.cancel(CancelTicket(ticket_id, "duplicate", CENTRE), uow)
    assert refused.value.context == {
        "current_status": "closed",
        "move": "cancel",
        "allowed": [],
    }
    assert published(uow) == [] and await entries(uow, ticket_id) == []
    resolved = await a_ticket(uow, status="resolved")
    with pytest.raises(IllegalMove) as again:
        await handlers.await_customer(AwaitCustomer(resolved, "x", CENTRE), uow)
    assert again.value.context["allowed"] == ["close", "reopen"]


async def test_a_move_on_a_ticket_that_does_not_exist_is_not_found(uow):
    with pytest.raises(TicketNotFound):
        await handlers.close(CloseTicket(uuid.uuid4(), None, CENTRE), uow)


async def test_resolving_by_phone_keeps_the_report_and_tells_escalation_and_inventory(uow):
    ticket_id = await a_ticket(uow, status="new")
    answer = await handlers.resolve(ResolveTicket(ticket_id, a_report(), CENTRE), uow)
    assert (answer["status"], answer["resolved_at"]) == ("resolved", NOW)
    [event] = published(uow, TicketResolved)
    assert (event.resolved_at, event.fault_type, event.root_cause) == (
        NOW,
        "hardware",
        "PSU fan seized",
    )
    assert [p.serial_in for p in event.parts_used] == ["PSU-2"] and event.engineer_ids == [ENGINEER]
    stored = await reports.latest_report(uow, ticket_id)
    assert (stored.source, stored.report, stored.recorded_by) == (Source.centre, a_report(), CENTRE)
    [entry] = await entries(uow, ticket_id)
    assert entry.kind == "ticket.resolved" and entry.detail["report_id"] == str(stored.id)
    assert entry.detail["fault_type"] == "hardware" and entry.detail["from"] == "new"


async def test_a_report_whose_parts_repeat_a_serial_is_refused_before_anything_moves(uow):
    ticket_id = await a_ticket(uow, status="on_site")
    twice = a_report(
        FaultType.hardware,
        Part("02312PSU", serial_out="PSU-1", serial_in="PSU-2"),
        Part("02312FAN", serial_out="PSU-2"),
    )
    with pytest.raises(RepeatedSerial) as refused:
        await handlers.resolve(ResolveTicket(ticket_id, twice, CENTRE), uow)
    assert refused.value.context["serials"] == ["PSU-2"]
    assert (await handlers.get_ticket(uow, ticket_id))["status"] == "on_site"
    with pytest.raises(NoReport):
        await reports.latest_report(uow, ticket_id)


async def test_no_report_before_resolution(uow):
    with pytest.raises(NoReport):
        await reports.latest_report(uow, await a_ticket(uow))


async def test_a_reopen_then_a_second_resolution_keeps_both_reports_and_answers_the_latest(uow):
    ticket_id = await a_ticket(uow, status="on_site")
    await handlers.resolve(ResolveTicket(ticket_id, a_report(), CENTRE), uow)
    later(uow, days=6, hours=23)
    reopened = await handlers.reopen(ReopenTicket(ticket_id, "Down again", CENTRE), uow)
    assert (reopened["status"], reopened["resolved_at"]) == ("in_progress", None)
    [event] = published(uow, TicketReopened)
    assert (event.reason, event.at) == ("Down again", uow.now)
    second = replace(a_report(FaultType.configuration), root_cause="Uplink mis-set")
    resolved_again = later(uow, hours=3)
    await handlers.resolve(ResolveTicket(ticket_id, second, CENTRE), uow)
    assert (await reports.latest_report(uow, ticket_id)).report == second
    history = await reports_store.history(uow.conn, ticket_id)
    assert [h.resolved_at for h in history] == [NOW, resolved_again]


async def test_a_reopen_after_seven_days_is_refused(uow):
    ticket_id = await a_ticket(uow, status="in_progress")
    await handlers.resolve(ResolveTicket(ticket_id, a_report(), CENTRE), uow)
    later(uow, days=8)
    with pytest.raises(ReopenWindowClosed) as refused:
        await handlers.reopen(ReopenTicket(ticket_id, "Down again", CENTRE), uow)
    assert refused.value.context["current_status"] == "resolved"
    assert (await handlers.get_ticket(uow, ticket_id))["status"] == "resolved"


async def test_closing_and_cancelling_stamp_the_end_and_say_why(uow):
    resolved, open_ = await a_ticket(uow, status="resolved"), await a_ticket(uow, status="new")
    closed = await handlers.close(CloseTicket(resolved, "Confirmed on the phone", CENTRE), uow)
    cancelled = await handlers.cancel(CancelTicket(open_, "Duplicate", CENTRE), uow)
    assert (closed["status"], closed["closed_at"]) == ("closed", NOW)
    assert (cancelled["status"], cancelled["cancelled_at"]) == ("cancelled", NOW)
    assert [e.reason for e in published(uow, TicketClosed)] == ["Confirmed on the phone"]
    assert [e.reason for e in published(uow, TicketCancelled)] == ["Duplicate"]


async def test_reclassify_changes_the_priority_and_keeps_the_status(uow):
    ticket_id = await a_ticket(uow, status="in_progress")
    answer = await handlers.reclassify(
        ReclassifyTicket(ticket_id, Priority.P1, "Whole floor down", CENTRE), uow
    )
    assert (answer["priority"], answer["status"]) == ("P1", "in_progress")
    [event] = published(uow, TicketReclassified)
    assert (event.old_priority, event.new_priority, event.reason) == (
        "P2",
        "P1",
        "Whole floor down",
    )
    [entry] = await entries(uow, ticket_id)
    assert entry.detail["old_priority"] == "P2" and entry.detail["new_priority"] == "P1"


# --- dispatch's facts ---


async def test_dispatchs_facts_move_the_ticket_and_are_each_on_the_timeline_once(uow):
    ticket_id = await a_ticket(uow)
    assignment = uuid.uuid4()
    created = AssignmentCreated(
        ticket_id=ticket_id, assignment_id=assignment, engineer_id=ENGINEER, assigned_at=NOW
    )
    accepted = AssignmentAccepted(
        ticket_id=ticket_id,
        assignment_id=assignment,
        engineer_id=ENGINEER,
        accepted_at=NOW + timedelta(minutes=5),
    )
    arrived = AssignmentArrived(
        ticket_id=ticket_id,
        assignment_id=assignment,
        engineer_id=ENGINEER,
        occurred_at=NOW + timedelta(minutes=50),
        position={"latitude": 31.2, "longitude": 121.5},
    )
    later(uow, hours=1)
    for event, envelope in map(fact, (created, accepted, arrived)):
        handler = handlers.EVENTS[event.type]
        await handler(event, envelope, uow)
        await handler(event, envelope, uow)  # delivered twice: once on the timeline
    assert (await handlers.get_ticket(uow, ticket_id))["status"] == "on_site"
    recorded = await entries(uow, ticket_id)
    assert [(e.kind, e.detail["from"], e.detail["to"]) for e in recorded] == [
        ("assignment.created", "new", "assigned"),
        ("assignment.accepted", "assigned", "in_progress"),
        ("assignment.arrived", "in_progress", "on_site"),
    ]
    assert recorded[0].actor == "dispatch" and recorded[1].actor == str(ENGINEER)
    assert recorded[2].at == NOW + timedelta(minutes=50)
    assert recorded[2].detail["position"]["latitude"] == 31.2


async def test_an_engineers_completion_resolves_with_the_report_the_phone_sent(uow):
    ticket_id = await a_ticket(uow, status="on_site")
    later(uow, minutes=10)
    event, envelope = fact(completed(ticket_id, NOW + timedelta(minutes=5)))
    await handlers.on_assignment_completed(event, envelope, uow)
    ticket = await handlers.get_ticket(uow, ticket_id)
    assert (ticket["status"], ticket["resolved_at"]) == ("resolved", NOW + timedelta(minutes=5))
    stored = await reports.latest_report(uow, ticket_id)
    assert (stored.source, stored.assignment_id) == (Source.engineer, event.assignment_id)
    assert stored.report.minutes_on_site == 70 and stored.report.engineer_ids == (ENGINEER,)
    assert stored.report.parts_used == (
        Part("02312PSU", serial_out="PSU-0001", serial_in="PSU-0942", quantity=1),
    )
    [resolved] = published(uow, TicketResolved)
    assert resolved.engineer_ids == [ENGINEER] and resolved.fault_type == "hardware"
    assert [e.kind for e in await entries(uow, ticket_id)] == [
        "assignment.completed",
        "ticket.resolved",
    ]


async def test_a_phone_clock_ahead_of_ours_does_not_resolve_in_the_future(uow):
    ticket_id = await a_ticket(uow, status="on_site")
    event, envelope = fact(completed(ticket_id, NOW + timedelta(hours=3)))
    await handlers.on_assignment_completed(event, envelope, uow)
    assert (await handlers.get_ticket(uow, ticket_id))["resolved_at"] == NOW


async def test_a_late_fact_never_moves_a_ticket_back_but_is_still_on_the_timeline(uow):
    ticket_id = await a_ticket(uow, status="on_site")
    await handlers.resolve(ResolveTicket(ticket_id, a_report(), CENTRE), uow)
    late = AssignmentArrived(
        ticket_id=ticket_id,
        assignment_id=uuid.uuid4(),
        engineer_id=ENGINEER,
        occurred_at=NOW - timedelta(minutes=30),
    )
    await handlers.on_assignment_step(*fact(late), uow)
    event, envelope = fact(completed(ticket_id, NOW))
    await handlers.on_assignment_completed(event, envelope, uow)
    assert (await handlers.get_ticket(uow, ticket_id))["status"] == "resolved"
    # The centre's report stays the one answered; the engineer's is on the timeline.
    assert (await reports.latest_report(uow, ticket_id)).source is Source.centre
    assert len(published(uow, TicketResolved)) == 1
    recorded = await entries(uow, ticket_id)
    assert [(e.kind, e.detail["from"], e.detail["to"]) for e in recorded] == [
        ("ticket.resolved", "on_site", "resolved"),
        ("assignment.arrived", "resolved", "resolved"),
        ("assignment.completed", "resolved", "resolved"),
    ]
    assert recorded[2].detail["work_done"].startswith("Replaced the failed power supply")


async def test_a_supports_completion_keeps_its_report_on_the_timeline_and_resolves_nothing(uow):
    # DS-7: in a crew only the lead's completion resolves the ticket.
    ticket_id = await a_ticket(uow, status="on_site")
    event = completed(ticket_id, NOW).model_copy(update={"role": "support"})
    await handlers.on_assignment_completed(*fact(event), uow)
    assert (await handlers.get_ticket(uow, ticket_id))["status"] == "on_site"
    assert published(uow, TicketResolved) == []
    [entry] = await entries(uow, ticket_id)
    assert (entry.kind, entry.detail["from"], entry.detail["to"]) == (
        "assignment.completed",
        "on_site",
        "on_site",
    )
    assert entry.detail["role"] == "support" and entry.detail["minutes_on_site"] == 70


async def test_a_departure_and_an_engineer_falling_away_are_on_the_timeline_and_move_nothing(uow):
    # Whoever replaces the engineer arrives as assignment.created (or .unassigned) of its own.
    ticket_id = await a_ticket(uow, status="in_progress")
    ids = {"ticket_id": ticket_id, "assignment_id": uuid.uuid4(), "engineer_id": ENGINEER}
    facts = [
        AssignmentDeparted(**ids, occurred_at=NOW, position={"latitude": 31.2, "longitude": 121.5}),
        AssignmentDeclined(**ids, occurred_at=NOW, reason="Car broke down"),
        AssignmentTimedOut(**ids, respond_by=NOW, at=NOW),
        AssignmentCancelled(**ids, reason="ticket.cancelled", at=NOW),
    ]
    for event in facts:
        await handlers.EVENTS[event.type](*fact(event), uow)
    assert (await handlers.get_ticket(uow, ticket_id))["status"] == "in_progress"
    recorded = await entries(uow, ticket_id)
    assert [(e.kind, e.actor, e.detail["from"], e.detail["to"]) for e in recorded] == [
        ("assignment.departed", str(ENGINEER), "in_progress", "in_progress"),
        ("assignment.declined", str(ENGINEER), "in_progress", "in_progress"),
        ("assignment.timed_out", "dispatch", "in_progress", "in_progress"),
        ("assignment.cancelled", "dispatch", "in_progress", "in_progress"),
    ]
    assert recorded[0].detail["position"]["longitude"] == 121.5
    assert recorded[1].detail["reason"] == "Car broke down"
    assert recorded[3].detail["reason"] == "ticket.cancelled"


async def test_facts_during_a_hold_move_the_status_underneath_and_completion_ends_it(uow):
    ticket_id = await a_ticket(uow, status="in_progress")
    await handlers.await_customer(AwaitCustomer(ticket_id, "Waiting for a window", CENTRE), uow)
    arrived = AssignmentArrived(
        ticket_id=ticket_id, assignment_id=uuid.uuid4(), engineer_id=ENGINEER, occurred_at=NOW
    )
    await handlers.on_assignment_step(*fact(arrived), uow)
    held = await handlers.get_ticket(uow, ticket_id)
    assert (held["status"], held["held_from"]) == ("awaiting_customer", "on_site")
    await handlers.on_assignment_completed(*fact(completed(ticket_id, NOW)), uow)
    done = await handlers.get_ticket(uow, ticket_id)
    assert (done["status"], done["held_from"]) == ("resolved", None)


async def test_a_fact_about_a_ticket_intake_does_not_hold_is_ignored(uow):
    stranger = completed(uuid.uuid4(), NOW)
    await handlers.on_assignment_completed(*fact(stranger), uow)
    assert published(uow) == []


# --- repeat failures (IV-3) ---


async def resolve_hardware(uow, ticket_id, fault_type=FaultType.hardware) -> None:
    await handlers.resolve(ResolveTicket(ticket_id, a_report(fault_type), CENTRE), uow)


async def test_a_second_hardware_fault_in_warranty_is_a_repeat_failure_once_per_pair(uow):
    serial = f"SN-{uuid.uuid4().hex[:8]}"
    first = await a_ticket(uow, serial=serial)
    await an_asset(uow, serial, warranty_end=date(2027, 1, 1))
    second = await a_ticket(uow, serial=serial)
    await resolve_hardware(uow, first)
    assert published(uow, AssetRepeatFailure) == []
    later(uow, days=1)
    await resolve_hardware(uow, second)
    [repeat] = published(uow, AssetRepeatFailure)
    assert (repeat.serial, repeat.earlier_ticket_id, repeat.ticket_id) == (serial, first, second)
    assert (repeat.model, repeat.manufacturer) == ("S5735", "huawei")
    assert repeat.aggregate_id() == serial
    # Reopened and resolved again: the same pair, not a second replacement.
    later(uow, hours=1)
    await handlers.reopen(ReopenTicket(second, "Again", CENTRE), uow)
    later(uow, hours=1)
    await resolve_hardware(uow, second)
    assert len(published(uow, AssetRepeatFailure)) == 1
    assert "asset.repeat_failure" in [e.kind for e in await entries(uow, second)]


async def test_no_repeat_failure_out_of_warranty_or_for_a_fault_that_is_not_hardware(uow):
    serial = f"SN-{uuid.uuid4().hex[:8]}"
    first = await a_ticket(uow, serial=serial)
    # The last day of warranty is 25 November in Shanghai, which ends at 16:00 UTC.
    await an_asset(uow, serial, warranty_end=date(2026, 11, 25))
    software, late = await a_ticket(uow, serial=serial), await a_ticket(uow, serial=serial)
    await resolve_hardware(uow, first)
    later(uow, hours=1)
    await resolve_hardware(uow, software, FaultType.software)
    later(uow, hours=7)  # 17:00 UTC: 26 November in Shanghai
    await resolve_hardware(uow, late)
    assert published(uow, AssetRepeatFailure) == []


# --- the timeline: SLA outcomes and follow-ups ---


async def test_sla_outcomes_are_recorded_on_the_timeline_once(uow):
    ticket_id = await a_ticket(uow)
    met = SlaMet.model_validate(
        {**SlaMet.example, "ticket_id": str(ticket_id), "met_at": NOW.isoformat()}
    )
    breached = SlaBreached.model_validate({**SlaBreached.example, "ticket_id": str(ticket_id)})
    for event in (met, breached):
        envelope = envelope_for(event, "/fieldops/escalation")
        await reporting.EVENTS[event.type](event, envelope, uow)
        await reporting.EVENTS[event.type](event, envelope, uow)
    recorded = await entries(uow, ticket_id)
    assert [(e.kind, e.actor, e.detail["clock"]) for e in recorded] == [
        ("sla.met", "escalation", "response"),
        ("sla.breached", "escalation", "restore"),
    ]
    assert recorded[1].at == breached.due_at


async def test_the_timeline_pages_oldest_first_and_says_when_there_is_no_ticket(uow):
    ticket_id = await a_ticket(uow, status="new")
    for i in range(3):
        await handlers.reclassify(ReclassifyTicket(ticket_id, Priority.P3, f"r{i}", CENTRE), uow)
    first = await timeline.page(uow, ticket_id, after=0, limit=2)
    assert [r.entry.detail["reason"] for r in first] == ["r0", "r1", "r2"]  # limit + 1
    rest = await timeline.page(uow, ticket_id, after=first[1].seq, limit=2)
    assert [r.entry.detail["reason"] for r in rest] == ["r2"]
    assert await timeline.page(uow, uuid.uuid4(), after=0, limit=2) is None


async def test_a_follow_up_call_is_listed_and_on_the_timeline(uow):
    ticket_id = await a_ticket(uow, status="resolved")
    call = RecordFollowUp(
        ticket_id, "Li Na", NOW - timedelta(hours=1), Outcome.satisfied, "Works fine", CENTRE
    )
    saved = await followups.record_follow_up(call, uow)
    listed = await followups.list_follow_ups(uow, ticket_id, after=None, limit=10)
    assert listed == [saved] and saved.recorded_by == CENTRE
    [entry] = await entries(uow, ticket_id)
    assert (entry.kind, entry.actor, entry.at) == ("follow_up.recorded", "Li Na", call.called_at)
    assert entry.detail["outcome"] == "satisfied"
    with pytest.raises(CallInTheFuture):
        await followups.record_follow_up(replace(call, called_at=NOW + timedelta(hours=1)), uow)
    with pytest.raises(TicketNotFound):
        async with uow.conn.transaction():  # the command endpoint's savepoint
            await followups.record_follow_up(replace(call, ticket_id=uuid.uuid4()), uow)
    assert await followups.list_follow_ups(uow, uuid.uuid4(), after=None, limit=10) is None
