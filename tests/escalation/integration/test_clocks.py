"""SLA clocks driven by what happens to a ticket, on real PostgreSQL: the calendars they count
on, pauses, reclassification, late facts, and each announcement exactly once."""

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.escalation.calendars import handlers as calendars
from services.escalation.calendars.commands import ChangeCalendar, DefineCalendar
from services.escalation.calendars.rules import Amendment
from services.escalation.clocks import handlers as clocks
from services.escalation.clocks import store as clocks_store
from shared.clock import FrozenClock
from shared.db import UnitOfWork
from shared.events.dispatch import AssignmentAccepted, AssignmentArrived, AssignmentCreated
from shared.events.escalation import SlaBreached, SlaMet, SlaWarning
from shared.events.intake import (
    TicketAwaitingCustomer,
    TicketCancelled,
    TicketReclassified,
    TicketReopened,
    TicketResolved,
    TicketResumed,
)
from shared.events.inventory import (
    LoanerCheckedOut,
    PartAvailable,
    PartBackordered,
    ReservationReleased,
)
from tests.escalation.integration.conftest import World, contract, ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")
M = timedelta(minutes=1)


def sh(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def due(clock) -> datetime:
    return clock["due_at"].astimezone(SHANGHAI)


async def test_a_p3_reported_friday_at_half_past_four_on_cn_5x8_is_due_monday(world):
    friday = sh(2026, 11, 27, 16, 30)
    world.at(friday + M)
    created = ticket(friday, "P3")
    await world.deliver(created)
    sla = await world.sla(created.ticket_id)
    by_kind = {c["kind"]: c for c in sla["clocks"]}
    assert list(by_kind) == ["response", "on_site", "restore"]  # no asset: no repair clock
    assert {c["calendar"] for c in sla["clocks"]} == {"cn-5x8"}
    # Restore, 4 business hours: Friday 16:30-17:30, then Monday 08:30-11:30.
    assert due(by_kind["restore"]) == sh(2026, 11, 30, 11, 30)
    assert due(by_kind["response"]) == sh(2026, 11, 27, 17, 0)
    # On site, the project terms' 6 hours: one on Friday, five on Monday.
    assert due(by_kind["on_site"]) == sh(2026, 11, 30, 13, 30)
    assert all(c["status"] == "running" and not c["breached"] for c in sla["clocks"])


async def test_a_ticket_across_national_day_counts_its_make_up_saturday(world):
    # 2026: 1-7 October off (the 4th a Sunday anyway), Saturday the 10th a working day.
    eve = sh(2026, 9, 30, 16, 30)
    world.at(eve + M)
    created = ticket(eve, "P4", asset_serial="SN-0042")
    await world.deliver(created)
    by_kind = {c["kind"]: c for c in (await world.sla(created.ticket_id))["clocks"]}
    # P4 restore, 24 business hours: 1 h on the 30th, 9 on the 8th, 9 on the 9th, and the last
    # 5 on the make-up Saturday.
    assert due(by_kind["restore"]) == sh(2026, 10, 10, 13, 30)
    # Repair, 5 working days (IV-2): on the same hour five working days on, the make-up day
    # among them and the holidays not.
    assert due(by_kind["repair"]) == sh(2026, 10, 13, 16, 30)


async def test_a_p1_under_seven_by_twenty_four_cover_runs_through_saturday_night(world):
    terms = contract(coverage="7x24")
    await world.deliver(terms)
    night = sh(2026, 11, 28, 22, 0)  # a Saturday
    world.at(night)
    created = ticket(night, "P1", contract_id=terms.contract_id, coverage="7x24")
    await world.deliver(created)
    by_kind = {c["kind"]: c for c in (await world.sla(created.ticket_id))["clocks"]}
    assert {c["calendar"] for c in by_kind.values()} == {"24x7"}
    assert due(by_kind["response"]) == sh(2026, 11, 28, 22, 30)
    assert due(by_kind["restore"]) == sh(2026, 11, 28, 23, 0)
    assert due(by_kind["on_site"]) == night + timedelta(minutes=360)


async def test_emergency_cover_puts_a_p1_on_24x7_and_leaves_a_p3_on_the_contracts_calendar(world):
    terms = contract(emergency_onsite_7x24=True, onsite_minutes=120)
    await world.deliver(terms)
    night = sh(2026, 11, 28, 22, 0)
    world.at(night)
    p1 = ticket(night, "P1", contract_id=terms.contract_id)
    p3 = ticket(night, "P3", contract_id=terms.contract_id)
    await world.deliver(p1)
    await world.deliver(p3)
    p1_clocks = {c["kind"]: c for c in (await world.sla(p1.ticket_id))["clocks"]}
    p3_clocks = {c["kind"]: c for c in (await world.sla(p3.ticket_id))["clocks"]}
    assert p1_clocks["on_site"]["calendar"] == "24x7"
    assert due(p1_clocks["on_site"]) == sh(2026, 11, 29, 0, 0)
    assert p3_clocks["restore"]["calendar"] == "cn-5x8"
    assert due(p3_clocks["restore"]) == sh(2026, 11, 30, 12, 30)


async def test_paused_time_awaiting_the_customer_and_a_backordered_part_is_not_counted(world):
    terms = contract(coverage="7x24")
    await world.deliver(terms)
    t0 = sh(2026, 11, 25, 10, 0)
    world.at(t0)
    created = ticket(t0, "P2", contract_id=terms.contract_id, asset_serial="SN-1")
    await world.deliver(created)
    tid = created.ticket_id
    # The customer's machine room is closed 10:30-11:30; a part is short 11:00-12:00: the
    # overlap counts once, and the clock runs again only when both are lifted.
    for at, event in [
        (t0 + 30 * M, TicketAwaitingCustomer(ticket_id=tid, reason="Room closed", at=t0 + 30 * M)),
        (
            t0 + 60 * M,
            PartBackordered(ticket_id=tid, part_number="PSU-1", quantity_short=1, at=t0 + 60 * M),
        ),
        (t0 + 90 * M, TicketResumed(ticket_id=tid, at=t0 + 90 * M)),
    ]:
        world.at(at)
        await world.deliver(event)
    restore = await world.clock(tid, "restore")
    assert restore["status"] == "paused" and restore["holds"] == ["part_backordered:PSU-1"]
    assert restore["used_minutes"] == 30
    world.at(t0 + 120 * M)
    await world.deliver(
        PartAvailable(ticket_id=tid, part_number="PSU-1", quantity_arrived=1, at=t0 + 120 * M)
    )
    restore = await world.clock(tid, "restore")
    assert restore["status"] == "running" and restore["holds"] == []
    assert restore["paused_minutes"] == 90 and restore["used_minutes"] == 30
    # P2: 120 minutes, 90 of them paused: due 13:30, not 12:00.
    assert due(restore) == sh(2026, 11, 25, 13, 30)
    assert (await world.clock(tid, "repair"))["paused_minutes"] == 90
    # The engineers' promises do not wait for the customer.
    response = await world.clock(tid, "response")
    assert response["paused_minutes"] == 0 and response["breached"]


async def test_a_backorder_withdrawn_lets_the_restore_clock_run_and_a_released_part_does_not(
    world,
):
    t0 = sh(2026, 11, 25, 10, 0)
    world.at(t0)
    created = ticket(t0, "P2", asset_serial="SN-2")
    await world.deliver(created)
    tid = created.ticket_id

    def released(part: str, at: datetime, location_id: uuid.UUID | None) -> ReservationReleased:
        return ReservationReleased(
            ticket_id=tid,
            reservation_id=uuid.uuid4(),
            part_number=part,
            quantity=1,
            location_id=location_id,
            reason="released",
            at=at,
        )

    for at, event in [
        (
            t0 + 10 * M,
            PartBackordered(ticket_id=tid, part_number="FAN-1", quantity_short=1, at=t0 + 10 * M),
        ),
        (t0 + 20 * M, released("PSU-1", t0 + 20 * M, uuid.uuid4())),
    ]:
        world.at(at)
        await world.deliver(event)
    assert (await world.clock(tid, "restore"))["holds"] == ["part_backordered:FAN-1"]
    world.at(t0 + 40 * M)
    await world.deliver(released("FAN-1", t0 + 40 * M, None))
    restore = await world.clock(tid, "restore")
    assert restore["status"] == "running" and restore["paused_minutes"] == 30


async def test_reclassification_from_p3_to_p1_replays_the_whole_history(world):
    terms = contract(emergency_onsite_7x24=True)
    await world.deliver(terms)
    t0 = sh(2026, 11, 25, 9, 0)  # a Wednesday
    world.at(t0)
    created = ticket(t0, "P3", contract_id=terms.contract_id)
    await world.deliver(created)
    tid = created.ticket_id
    assert due(await world.clock(tid, "restore")) == sh(2026, 11, 25, 13, 0)
    world.at(t0 + 10 * M)
    await world.deliver(TicketAwaitingCustomer(ticket_id=tid, reason="Window", at=t0 + 10 * M))
    world.at(t0 + 20 * M)
    await world.deliver(TicketResumed(ticket_id=tid, at=t0 + 20 * M))
    world.at(t0 + 30 * M)
    await world.deliver(
        TicketReclassified(
            ticket_id=tid, old_priority="P3", new_priority="P1", reason="Floor down", at=t0 + 30 * M
        )
    )
    restore = await world.clock(tid, "restore")
    # P1 under emergency cover: 60 minutes around the clock from 09:00, the ten paused kept.
    assert (restore["target_minutes"], restore["calendar"]) == (60, "24x7")
    assert due(restore) == sh(2026, 11, 25, 10, 10)
    assert (await world.sla(tid))["priority"] == "P1"


async def test_warnings_breach_and_met_are_each_announced_once(world):
    terms = contract(coverage="7x24")
    await world.deliver(terms)
    t0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    world.at(t0)
    created = ticket(t0, "P1", contract_id=terms.contract_id)
    await world.deliver(created)
    tid = created.ticket_id
    world.at(t0 + 15 * M)  # half of the response's 30 minutes
    await world.tick()
    await world.tick()
    [half] = world.published("sla.warning")
    assert isinstance(half, SlaWarning)
    assert (half.kind, half.fraction, half.at) == ("response", 0.5, t0 + 15 * M)
    world.forget()
    world.at(t0 + 31 * M)  # past 80 % of the response and its due: the breach alone is news
    await world.tick()
    announced = [
        (e.type, e.kind, getattr(e, "fraction", None))
        for e in world.published("sla.warning", "sla.breached")
    ]
    assert ("sla.breached", "response", None) in announced
    assert ("sla.warning", "response", 0.8) not in announced
    assert ("sla.warning", "restore", 0.5) in announced  # 30 of the restore's 60 minutes
    breach = next(e for e in world.published("sla.breached"))
    assert isinstance(breach, SlaBreached) and breach.due_at == t0 + 30 * M
    world.forget()
    await world.tick()
    assert world.published("sla.warning", "sla.breached") == []
    world.at(t0 + 40 * M)
    await world.deliver(
        TicketResolved(
            ticket_id=tid,
            resolved_at=t0 + 40 * M,
            fault_type="hardware",
            root_cause="PSU",
            parts_used=[],
            engineer_ids=[],
        )
    )
    met = {e.kind: e for e in world.published("sla.met")}
    assert set(met) == {"restore", "on_site"}  # response was breached: never "met" after
    assert isinstance(met["restore"], SlaMet) and met["restore"].business_minutes == 40
    world.forget()
    await world.deliver(
        TicketResolved(
            ticket_id=tid,
            resolved_at=t0 + 40 * M,
            fault_type="hardware",
            root_cause="PSU",
            parts_used=[],
            engineer_ids=[],
        )
    )
    await world.tick()
    assert world.published("sla.met", "sla.breached", "sla.warning") == []


async def test_facts_reported_late_are_placed_at_their_own_time(world):
    terms = contract(coverage="7x24")
    await world.deliver(terms)
    t0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    world.at(t0)
    created = ticket(t0, "P3", contract_id=terms.contract_id)
    await world.deliver(created)
    tid = created.ticket_id
    assignment, engineer = uuid.uuid4(), uuid.uuid4()
    # The phone was offline: it accepted at 09:20 and arrived at 11:00, and both reach us at 12:00.
    world.at(t0 + 180 * M)
    await world.deliver(
        AssignmentArrived(
            ticket_id=tid, assignment_id=assignment, engineer_id=engineer, occurred_at=t0 + 120 * M
        )
    )
    await world.deliver(
        AssignmentAccepted(
            ticket_id=tid, assignment_id=assignment, engineer_id=engineer, accepted_at=t0 + 20 * M
        )
    )
    met = {e.kind: e.met_at for e in world.published("sla.met")}
    assert met == {"on_site": t0 + 120 * M, "response": t0 + 20 * M}
    response = await world.clock(tid, "response")
    assert response["status"] == "stopped" and response["used_minutes"] == 20


async def test_a_reopened_ticket_counts_again_from_the_reopen(world):
    terms = contract(coverage="7x24")
    await world.deliver(terms)
    t0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    world.at(t0)
    created = ticket(t0, "P3", contract_id=terms.contract_id)
    await world.deliver(created)
    tid = created.ticket_id
    world.at(t0 + 60 * M)
    await world.deliver(
        TicketResolved(
            ticket_id=tid,
            resolved_at=t0 + 60 * M,
            fault_type="software",
            root_cause="Bug",
            parts_used=[],
            engineer_ids=[],
        )
    )
    world.at(t0 + 24 * 60 * M)
    await world.deliver(TicketReopened(ticket_id=tid, at=t0 + 24 * 60 * M, reason="Again"))
    restore = await world.clock(tid, "restore")
    assert restore["status"] == "running" and restore["used_minutes"] == 60
    assert restore["due_at"] == t0 + 24 * 60 * M + 180 * M
    assert (await world.clock(tid, "response"))["status"] == "stopped"


async def test_a_loaner_keeps_the_repair_promise_and_a_cancellation_stops_every_clock(world):
    t0 = sh(2026, 11, 25, 9, 0)
    world.at(t0)
    created = ticket(t0, "P3", asset_serial="SN-9")
    await world.deliver(created)
    tid = created.ticket_id
    world.at(t0 + 60 * M)
    await world.deliver(
        LoanerCheckedOut(
            ticket_id=tid,
            loaner_serial="LN-1",
            model="S5735",
            customer_id=created.customer_id,
            at=t0 + 60 * M,
        )
    )
    assert (await world.clock(tid, "repair"))["met_at"] == t0 + 60 * M
    assert (await world.clock(tid, "restore"))["status"] == "running"
    await world.deliver(TicketCancelled(ticket_id=tid, at=t0 + 70 * M, reason="Duplicate"))
    sla = await world.sla(tid)
    assert {c["status"] for c in sla["clocks"]} == {"stopped"}
    assert sla["status"] == "cancelled" and sla["ladder"]["at_rest"]


async def test_facts_before_the_ticket_are_kept_and_applied_when_it_arrives(world):
    t0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    created = ticket(t0, "P3")
    engineer = uuid.uuid4()
    world.at(t0 + 5 * M)
    await world.deliver(
        AssignmentCreated(
            ticket_id=created.ticket_id,
            assignment_id=uuid.uuid4(),
            engineer_id=engineer,
            assigned_at=t0 + 2 * M,
        )
    )
    await world.deliver(
        AssignmentAccepted(
            ticket_id=created.ticket_id,
            assignment_id=uuid.uuid4(),
            engineer_id=engineer,
            accepted_at=t0 + 4 * M,
        )
    )
    world.at(t0 + 6 * M)
    await world.deliver(created)
    sla = await world.sla(created.ticket_id)
    response = next(c for c in sla["clocks"] if c["kind"] == "response")
    assert response["met_at"] == t0 + 4 * M
    assert sla["ladder"]["step"] == "accepted_to_on_site"
    assert (
        await world.uow.conn.fetchval(
            "SELECT count(*) FROM escalation.early_facts WHERE ticket_id = $1", created.ticket_id
        )
        == 0
    )


async def test_a_contract_heard_of_after_its_ticket_retargets_the_running_clocks(world):
    night = sh(2026, 11, 28, 22, 0)
    terms = contract(coverage="7x24")
    world.at(night)
    created = ticket(night, "P1", contract_id=terms.contract_id, coverage=None, calendar=None)
    await world.deliver(created)
    # Without its contract: the seed's defaults on cn-5x8, due on Monday.
    assert due(await world.clock(created.ticket_id, "restore")) == sh(2026, 11, 30, 9, 30)
    world.at(night + 5 * M)
    await world.deliver(terms)
    restore = await world.clock(created.ticket_id, "restore")
    assert (restore["calendar"], due(restore)) == ("24x7", sh(2026, 11, 28, 23, 0))


async def test_a_calendar_defined_and_changed_over_its_api_replays_the_clocks_on_it(world):
    terms = contract(calendar="acme-shifts")
    await world.deliver(terms)
    t0 = sh(2026, 11, 28, 10, 0)  # a Saturday
    world.at(t0)
    created = ticket(t0, "P3", contract_id=terms.contract_id)
    await world.deliver(created)
    # A name not defined yet counts on cn-5x8: due Monday.
    assert due(await world.clock(created.ticket_id, "restore")) == sh(2026, 11, 30, 12, 30)

    await calendars.define_calendar(
        DefineCalendar("acme-shifts", "Asia/Shanghai", {"mon-sun": ["08:00-20:00"]}), world.uow
    )
    assert await clocks.recompute_calendar(world.uow, "acme-shifts") == 3
    assert due(await world.clock(created.ticket_id, "restore")) == sh(2026, 11, 28, 14, 0)

    # ES-7: a holiday added to the calendar moves the clocks that count on it, in the same change.
    await calendars.change_calendar(
        ChangeCalendar("acme-shifts", Amendment(add_holidays=[date(2026, 11, 28)])), world.uow
    )
    assert due(await world.clock(created.ticket_id, "restore")) == sh(2026, 11, 29, 12, 0)


async def test_the_breach_list_pages_by_breach_time(world):
    terms = contract(coverage="7x24")
    await world.deliver(terms)
    t0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    world.at(t0)
    tickets = [ticket(t0 + n * M, "P1", contract_id=terms.contract_id) for n in range(3)]
    for created in tickets:
        await world.deliver(created)
    world.at(t0 + 45 * M)
    await world.tick()
    first = await clocks_store.breaches(world.uow.conn, since=t0, after=None, limit=2)
    assert [b["ticket_id"] for b in first] == [t.ticket_id for t in tickets]
    rest = await clocks_store.breaches(
        world.uow.conn, since=t0, after=(first[1]["breached_at"], first[1]["id"]), limit=2
    )
    assert [b["ticket_id"] for b in rest] == [tickets[2].ticket_id]
    assert all(b["kind"] == "response" for b in first + rest)


async def test_a_deployment_set_to_warn_at_ninety_percent_warns_only_then(pool, settings):
    nine_tenths = settings.model_copy(update={"sla_warning_fractions": (0.9,)})
    async with UnitOfWork(
        pool, nine_tenths, clock=FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
    ) as uow:
        world = World(uow)
        terms = contract(coverage="7x24")
        await world.deliver(terms)
        t0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
        world.at(t0)
        created = ticket(t0, "P1", contract_id=terms.contract_id)
        await world.deliver(created)
        world.at(t0 + 26 * M)  # past 50 % and 80 % of the response's 30 minutes
        await world.tick()
        assert world.published("sla.warning") == []
        world.at(t0 + 27 * M)
        await world.tick()
        [warning] = world.published("sla.warning")
        assert (warning.kind, warning.fraction) == ("response", 0.9)
        assert (await world.clock(created.ticket_id, "response"))["warnings_sent"] == [0.9]
