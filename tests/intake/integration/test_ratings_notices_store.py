"""Ratings, advance notices and the reports' read models on real PostgreSQL.

Most tests run in a unit of work that is never committed; the one about replicas commits
its data under a customer of its own and looks only at that.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from services.intake.notices import handlers as notices
from services.intake.notices.commands import EmitDueNotices, NoticeEndOfLife, PublishAdvisory
from services.intake.notices.rules import Severity
from services.intake.notices.store import AdvisoryExists
from services.intake.ratings import handlers as ratings
from services.intake.ratings import rules
from services.intake.ratings.commands import IssueRatingLink, RecordRating
from services.intake.reporting import handlers as reporting
from services.intake.reporting.rules import period
from shared.clock import FrozenClock
from shared.db import UnitOfWork
from shared.events.dispatch import AssignmentCreated
from shared.events.escalation import SlaBreached, SlaMet
from shared.events.intake import NoticeDue, RatingRecorded
from shared.events.inventory import PartEolAnnounced
from shared.outbox_rows import envelope_for
from shared.settings import Settings

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def work(pool, settings, at=NOW) -> UnitOfWork:
    return UnitOfWork(pool, settings, clock=FrozenClock(at))


@pytest.fixture(scope="module")
def settings(migrated: str) -> Settings:
    # Rating links are signed: the service's settings always carry a key for them.
    return Settings(service="intake", database_url=migrated, rating_secret="r" * 48)


@pytest.fixture
async def uow(pool, settings) -> AsyncIterator[UnitOfWork]:
    async with work(pool, settings) as unit:
        yield unit


async def customer(conn, name="Bank", contacts=(("Li", "primary"), ("Wu", "secondary"))):
    customer_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO intake.customers (id, name, created_at) VALUES ($1, $2, $3)",
        customer_id,
        name,
        NOW,
    )
    for i, (contact, role) in enumerate(contacts):
        await conn.execute(
            "INSERT INTO intake.contacts (id, customer_id, name, phone, role, created_at, updated_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $6)",
            uuid.uuid4(),
            customer_id,
            contact,
            f"+86 10 {i}",
            role,
            NOW + timedelta(seconds=i),
        )
    return customer_id


async def asset(conn, customer_id, serial, model="S5735", manufacturer="huawei"):
    site_id, contract_id = uuid.uuid4(), uuid.uuid4()
    await conn.execute(
        "INSERT INTO intake.sites (id, customer_id, name, address, latitude, longitude, timezone,"
        " created_at, updated_at) VALUES ($1, $2, 'DC', 'Road 1', 31.2, 121.5, 'Asia/Shanghai', $3, $3)",
        site_id,
        customer_id,
        NOW,
    )
    await conn.execute(
        "INSERT INTO intake.contracts (id, customer_id, coverage, emergency_onsite_7x24,"
        " onsite_minutes, calendar, targets, warranty_start, warranty_end, ladder, created_at,"
        " updated_at) VALUES ($1, $2, '5x8', false, 360, 'cn-5x8', '{}', $3, $4, '[]', $5, $5)",
        contract_id,
        customer_id,
        date(2026, 1, 1),
        date(2026, 12, 31),
        NOW,
    )
    await conn.execute(
        "INSERT INTO intake.assets (id, customer_id, site_id, contract_id, manufacturer, model,"
        " serial, accepted_on, warranty_end, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        uuid.uuid4(),
        customer_id,
        site_id,
        contract_id,
        manufacturer,
        model,
        serial,
        date(2026, 1, 1),
        date(2026, 12, 31),
        NOW,
    )


async def ticket(conn, customer_id, *, status="resolved", at=NOW, priority="P2", channel="phone"):
    ticket_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO intake.tickets (id, number, customer_id, summary, description, channel,"
        " category, impact, priority, status, created_by, created_at, updated_at,"
        " reported_at, occurrences, last_occurred_at, resolved_at)"
        " VALUES ($1, $2, $3, 's', 'd', $4, 'network', 'degraded', $5, $6, 't', $7, $7, $7, 1, $7, $8)",
        ticket_id,
        f"T-{ticket_id.hex[:8]}",
        customer_id,
        channel,
        priority,
        status,
        at,
        at if status in ("resolved", "closed") else None,
    )
    return ticket_id


# --- ratings ----------------------------------------------------------------------------


async def test_a_resolved_tickets_link_is_the_same_each_time_and_rates_it_once(uow):
    ticket_id = await ticket(uow.conn, await customer(uow.conn))
    engineer = uuid.uuid4()
    await reporting.record_assignment(
        AssignmentCreated(
            ticket_id=ticket_id, assignment_id=uuid.uuid4(), engineer_id=engineer, assigned_at=NOW
        ),
        uow,
    )
    link, token = await ratings.issue_link(IssueRatingLink(ticket_id), uow)
    assert link.expires_at == NOW + timedelta(days=30)
    assert await ratings.issue_link(IssueRatingLink(ticket_id), uow) == (link, token)

    rating = await ratings.record_rating(RecordRating(token, 4, "quick fix"), uow)
    assert (rating["score"], rating["engineer_ids"]) == (4, [engineer])
    [event] = [e for e, _ in uow.events]
    assert isinstance(event, RatingRecorded)
    assert (event.comment_length, event.engineer_ids) == (9, [engineer])
    with pytest.raises(rules.AlreadyRated):
        await ratings.record_rating(RecordRating(token, 5, None), uow)


async def test_an_open_ticket_has_no_link(uow):
    ticket_id = await ticket(uow.conn, await customer(uow.conn), status="in_progress")
    with pytest.raises(rules.NotResolved):
        await ratings.issue_link(IssueRatingLink(ticket_id), uow)


async def test_a_link_used_after_its_window_is_expired(pool, settings, uow):
    ticket_id = await ticket(uow.conn, await customer(uow.conn))
    _, token = await ratings.issue_link(IssueRatingLink(ticket_id), uow)
    uow.now = NOW + timedelta(days=31)
    with pytest.raises(rules.LinkExpired):
        await ratings.record_rating(RecordRating(token, 5, None), uow)
    with pytest.raises(rules.LinkExpired):
        await ratings.issue_link(IssueRatingLink(ticket_id), uow)


async def test_a_reopened_ticket_is_not_rated_through_its_old_link(uow):
    ticket_id = await ticket(uow.conn, await customer(uow.conn))
    _, token = await ratings.issue_link(IssueRatingLink(ticket_id), uow)
    await uow.conn.execute(
        "UPDATE intake.tickets SET status = 'in_progress' WHERE id = $1", ticket_id
    )
    with pytest.raises(rules.NotResolved):
        await ratings.record_rating(RecordRating(token, 5, None), uow)


# --- advance notices ----------------------------------------------------------------------


def advisory(severity=Severity.critical, reference="HW-SA-1", models=("s5735",)):
    return PublishAdvisory(
        manufacturer="HUAWEI",
        models=models,
        firmware_from="V200R019",
        firmware_to="V200R021",
        text="Ports flap under load",
        severity=severity,
        reference=reference,
        by="admin",
    )


async def notices_of(uow, customer_id):
    return await notices.list_notices(
        uow, after=None, limit=50, status=None, customer_id=customer_id, advisory_id=None
    )


async def test_an_advisory_records_one_notice_per_affected_customer(uow):
    bank, shop, other = [await customer(uow.conn, n) for n in ("Bank", "Shop", "Other")]
    await asset(uow.conn, bank, "SN-2")
    await asset(uow.conn, bank, "SN-1")
    await asset(uow.conn, shop, "SN-3", model="S5735")
    await asset(uow.conn, other, "SN-4", model="S6730")
    created, events = await notices.publish_advisory(advisory(Severity.major), uow)
    assert (created["notice_count"], created["firmware_from"], events) == (2, "V200R019", [])

    [notice] = await notices_of(uow, bank)
    assert notice["serials"] == ["SN-1", "SN-2"]
    assert [(c["name"], c["role"]) for c in notice["contacts"]] == [
        ("Li", "primary"),
        ("Wu", "secondary"),
    ]
    assert (notice["send_by"], notice["status"]) == (NOW + timedelta(days=1), "pending")
    assert len(await notices_of(uow, shop)) == 1
    assert await notices_of(uow, other) == []


async def test_the_same_advisory_reference_twice_is_refused(uow):
    await notices.publish_advisory(advisory(reference="HW-SA-dup"), uow)
    with pytest.raises(AdvisoryExists):
        async with uow.conn.transaction():
            await notices.publish_advisory(advisory(reference="HW-SA-dup"), uow)


async def test_notice_due_is_emitted_when_the_send_by_time_comes_and_only_once(uow):
    bank = await customer(uow.conn)
    await asset(uow.conn, bank, "SN-9")
    await notices.publish_advisory(advisory(Severity.minor, reference="HW-SA-minor"), uow)
    await notices.emit_due_notices(EmitDueNotices(), uow)
    assert [e for e, _ in uow.events if isinstance(e, NoticeDue) and e.customer_id == bank] == []

    uow.now = NOW + timedelta(days=7)
    await notices.emit_due_notices(EmitDueNotices(), uow)
    await notices.emit_due_notices(EmitDueNotices(), uow)
    [due] = [e for e, _ in uow.events if isinstance(e, NoticeDue) and e.customer_id == bank]
    assert (due.serials, due.reference, due.severity, due.source) == (
        ["SN-9"],
        "HW-SA-minor",
        "minor",
        "advisory",
    )
    assert [c.name for c in due.contacts] == ["Li", "Wu"]
    [notice] = await notices_of(uow, bank)
    assert (notice["status"], notice["due_at"]) == ("due", NOW + timedelta(days=7))


async def test_an_end_of_life_is_told_six_months_ahead_once_per_customer(uow):
    bank = await customer(uow.conn)
    await asset(uow.conn, bank, "SN-E1", model="AR6120", manufacturer="huawei")
    event = PartEolAnnounced(
        part_number="HW-AR6120-PSU",
        manufacturer="huawei",
        models=["AR6120"],
        end_of_production=date(2027, 12, 31),
        announced_at=NOW,
    )
    await notices.on_part_eol_announced(event, None, uow)
    await notices.on_part_eol_announced(event, None, uow)  # redelivered
    [notice] = await notices_of(uow, bank)
    assert (notice["source"], notice["part_number"], notice["send_by"]) == (
        "eol",
        "HW-AR6120-PSU",
        datetime(2027, 6, 30, tzinfo=UTC),
    )
    soon = NoticeEndOfLife("HW-AR6120-FAN", "huawei", ("AR6120",), date(2027, 1, 31))
    await notices.notice_end_of_life(soon, uow)
    assert {n["send_by"] for n in await notices_of(uow, bank)} == {notice["send_by"], NOW}


async def test_two_replicas_never_emit_the_same_notice(pool, settings):
    async with work(pool, settings) as setup:
        bank = await customer(setup.conn)
        await asset(setup.conn, bank, "SN-R1")
        await notices.publish_advisory(advisory(reference=f"HW-SA-{uuid.uuid4()}"), setup)
        await setup.commit()

    async def replica(hold: asyncio.Event, release: asyncio.Event) -> list:
        async with work(pool, settings) as unit:
            await notices.emit_due_notices(EmitDueNotices(), unit)
            hold.set()
            await release.wait()
            await unit.commit()
            return [e for e, _ in unit.events if e.customer_id == bank]

    first_holds, second_holds, go = asyncio.Event(), asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(replica(first_holds, go))
    await first_holds.wait()  # the first holds its claim, uncommitted
    second = asyncio.create_task(replica(second_holds, go))
    # Without SKIP LOCKED the second would wait on the first's lock and never get here.
    await asyncio.wait_for(second_holds.wait(), 10)
    go.set()
    emitted = await first + await second
    assert len(emitted) == 1


async def sla(handler, event, uow):
    """Deliver an SLA event as the consumer does: with its envelope (the timeline keeps its id)."""
    await handler(event, envelope_for(event, "/fieldops/escalation"), uow)


# --- the reports' read models -------------------------------------------------------------


async def test_a_breached_clock_stays_breached_when_a_late_met_arrives(uow):
    bank = await customer(uow.conn)
    ticket_id = await ticket(uow.conn, bank, at=NOW)
    clock, due = uuid.uuid4(), NOW + timedelta(hours=1)
    await sla(
        reporting.on_sla_breached,
        SlaBreached(ticket_id=ticket_id, clock_id=clock, kind="restore", due_at=due),
        uow,
    )
    await sla(
        reporting.on_sla_met,
        SlaMet(ticket_id=ticket_id, clock_id=clock, kind="restore", due_at=due, met_at=due),
        uow,
    )
    await sla(
        reporting.on_sla_met,
        SlaMet(
            ticket_id=ticket_id,
            clock_id=uuid.uuid4(),
            kind="response",
            due_at=due,
            met_at=NOW + timedelta(minutes=5),
        ),
        uow,
    )
    report = await reporting.monthly(uow, period("2026-11"), bank)
    assert report["sla"]["restore"] == {"met": 0, "breached": 1, "met_share": 0.0}
    assert report["sla"]["response"] == {"met": 1, "breached": 0, "met_share": 1.0}


async def test_the_monthly_report_counts_the_customers_month_in_beijing_time(uow):
    bank, other = await customer(uow.conn), await customer(uow.conn, "Other")
    # 2026-11-30 17:00 UTC is 1 December in Beijing: next month's.
    await ticket(uow.conn, bank, priority="P1", channel="phone", at=NOW)
    await ticket(uow.conn, bank, priority="P1", channel="email", at=NOW)
    await ticket(uow.conn, bank, priority="P3", at=datetime(2026, 11, 30, 17, tzinfo=UTC))
    await ticket(uow.conn, other, priority="P4", at=NOW)
    rated = await ticket(uow.conn, bank, priority="P2", at=NOW)
    _, token = await ratings.issue_link(IssueRatingLink(rated), uow)
    await ratings.record_rating(RecordRating(token, 3, None), uow)

    report = await reporting.monthly(uow, period("2026-11"), bank)
    assert report["tickets_by_priority"] == {"P1": 2, "P2": 1, "P3": 0, "P4": 0}
    assert report["tickets_by_channel"]["email"] == 1
    assert (report["mean_rating"], report["ratings"], report["repeat_failures"]) == (3.0, 1, 0)


async def test_the_engineer_report_shares_the_months_work(uow):
    bank = await customer(uow.conn)
    a, b = uuid.uuid4(), uuid.uuid4()
    month = datetime(2031, 3, 10, tzinfo=UTC)  # a month no other test writes to
    uow.now = month
    tickets = [await ticket(uow.conn, bank, at=month) for _ in range(3)]
    for ticket_id, engineers in zip(tickets, ([a], [a], [a, b]), strict=True):
        for engineer in engineers:
            await reporting.record_assignment(
                AssignmentCreated(
                    ticket_id=ticket_id,
                    assignment_id=uuid.uuid4(),
                    engineer_id=engineer,
                    assigned_at=month,
                ),
                uow,
            )
    await sla(
        reporting.on_sla_met,
        SlaMet(
            ticket_id=tickets[0], clock_id=uuid.uuid4(), kind="restore", due_at=month, met_at=month
        ),
        uow,
    )
    _, token = await ratings.issue_link(IssueRatingLink(tickets[2]), uow)
    await ratings.record_rating(RecordRating(token, 4, None), uow)

    report = await reporting.engineers(uow, period("2031-03"))
    assert report["tickets_completed"] == 3
    lines = {line["engineer_id"]: line for line in report["engineers"]}
    assert (lines[a]["tickets_completed"], lines[a]["share_of_work"]) == (3, 1.0)
    assert (lines[a]["on_time_share"], lines[a]["mean_rating"]) == (0.3333, 4.0)
    assert (lines[b]["tickets_completed"], lines[b]["share_of_work"]) == (1, 0.3333)
    assert (lines[b]["on_time_share"], lines[b]["mean_rating"]) == (0.0, 4.0)
