"""Monthly inspections on real PostgreSQL: the schedule, its replicas, and the report.

Most tests run in a unit of work that is never committed. The one about replicas commits
its contracts, with a warranty in a year no other test's clock reaches.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from services.dispatch.contracts import handlers as contracts
from services.dispatch.inspections import handlers
from services.dispatch.inspections.commands import FileInspectionReport, ScheduleInspections
from services.dispatch.inspections.rules import (
    InspectionNotFound,
    InspectionReported,
    ReadingName,
    Readings,
    RemedyMissing,
)
from services.dispatch.sites import handlers as sites
from shared.clock import FrozenClock
from shared.db import UnitOfWork
from shared.events.dispatch import InspectionCompleted, InspectionScheduled
from shared.events.intake import ContractRegistered, SiteRegistered
from shared.outbox_rows import envelope_for

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SCHEDULE = ScheduleInspections()
GOOD = Readings(
    supply_voltage_v=221.5,
    frequency_hz=50.0,
    earth_resistance_ohm=0.3,
    ups_output_sufficient=True,
    ups_load_percent=40.0,
    room_temperature_c=21.0,
    humidity_percent=48.0,
    em_interference=False,
    corrosives=False,
)


def work(pool, settings, at=NOW) -> UnitOfWork:
    return UnitOfWork(pool, settings, clock=FrozenClock(at))


@pytest.fixture
async def uow(pool, dispatch_settings) -> AsyncIterator[UnitOfWork]:
    async with work(pool, dispatch_settings) as unit:
        yield unit


async def engineer(conn, regions=("east",), *, team="site", status="active", load=0) -> uuid.UUID:
    engineer_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO dispatch.engineers (id, name, skills, regions, team, status,"
        " active_assignments, created_at, updated_at)"
        " VALUES ($1, 'Engineer', '{network}', $2, $3, $4, $5, $6, $6)",
        engineer_id,
        list(regions),
        team,
        status,
        load,
        NOW,
    )
    return engineer_id


async def deliver(handler, event, uow: UnitOfWork) -> None:
    """As the consumer delivers an event: with its envelope."""
    await handler(event, envelope_for(event, "intake"), uow)


async def site(
    uow, customer_id, *, timezone="Asia/Shanghai", region="east", at=NOW - timedelta(days=300)
) -> uuid.UUID:
    site_id = uuid.uuid4()
    await deliver(
        sites.on_site,
        SiteRegistered(
            site_id=site_id,
            customer_id=customer_id,
            name="Pudong data centre",
            address="88 Century Avenue",
            latitude=31.23,
            longitude=121.47,
            timezone=timezone,
            region=region,
            registered_at=at,
        ),
        uow,
    )
    return site_id


async def contract(
    uow,
    customer_id,
    *,
    resident=None,
    start=date(2026, 1, 1),
    end=date(2026, 12, 31),
) -> uuid.UUID:
    contract_id = uuid.uuid4()
    await deliver(
        contracts.on_contract,
        ContractRegistered(
            contract_id=contract_id,
            customer_id=customer_id,
            coverage="5x8",
            emergency_onsite_7x24=False,
            onsite_minutes=360,
            targets={},
            calendar="cn-5x8",
            warranty_start=start,
            warranty_end=end,
            resident_engineer_id=resident,
            ladder=[],
            registered_at=NOW - timedelta(days=300),
        ),
        uow,
    )
    return contract_id


def scheduled(uow: UnitOfWork, contract_id=None) -> list[InspectionScheduled]:
    return [
        e
        for e, _ in uow.events
        if isinstance(e, InspectionScheduled) and contract_id in (None, e.contract_id)
    ]


async def inspections_of(conn, contract_id) -> list[dict]:
    rows = await conn.fetch(
        "SELECT * FROM dispatch.inspections WHERE contract_id = $1 ORDER BY month", contract_id
    )
    return [dict(r) for r in rows]


async def test_a_contract_in_warranty_gets_its_months_inspection_with_its_resident_engineer(uow):
    customer = uuid.uuid4()
    site_id = await site(uow, customer)
    resident = await engineer(uow.conn, load=5)
    await engineer(uow.conn, load=0)  # less loaded, but not the customer's resident
    contract_id = await contract(uow, customer, resident=resident)

    assert await handlers.schedule_inspections(SCHEDULE, uow) == 1
    assert await handlers.schedule_inspections(SCHEDULE, uow) == 0

    [row] = await inspections_of(uow.conn, contract_id)
    assert (row["month"], row["due_by"], row["status"]) == (
        "2026-11",
        date(2026, 11, 30),
        "scheduled",
    )
    assert (row["engineer_id"], row["site_id"], row["customer_id"]) == (resident, site_id, customer)
    assert row["scheduled_at"] == NOW
    [event] = scheduled(uow)
    assert event == InspectionScheduled(
        inspection_id=row["id"],
        contract_id=contract_id,
        site_id=site_id,
        month="2026-11",
        engineer_id=resident,
        due_by=date(2026, 11, 30),
        at=NOW,
    )


async def test_the_next_month_brings_the_next_inspection(uow):
    customer = uuid.uuid4()
    await site(uow, customer)
    contract_id = await contract(uow, customer, resident=await engineer(uow.conn))
    await handlers.schedule_inspections(SCHEDULE, uow)
    uow.now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # the same transaction, a fortnight later

    assert await handlers.schedule_inspections(SCHEDULE, uow) == 1

    rows = await inspections_of(uow.conn, contract_id)
    assert [(r["month"], r["due_by"]) for r in rows] == [
        ("2026-11", date(2026, 11, 30)),
        ("2026-12", date(2026, 12, 31)),
    ]
    assert [e.month for e in scheduled(uow)] == ["2026-11", "2026-12"]


async def test_the_month_is_the_one_at_the_customers_first_site(uow):
    # 00:30 on 1 December in Shanghai, still 30 November in UTC and in New York.
    uow.now = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)
    east, west, nowhere = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    first = await site(uow, east, at=NOW - timedelta(days=10))
    await site(uow, east, timezone="America/New_York", at=NOW - timedelta(days=5))
    await site(uow, west, timezone="America/New_York", region="west")
    in_shanghai = await contract(uow, east, resident=await engineer(uow.conn))
    in_new_york = await contract(uow, west, resident=await engineer(uow.conn, ["west"]))
    without_site = await contract(uow, nowhere, resident=await engineer(uow.conn))

    assert await handlers.schedule_inspections(SCHEDULE, uow) == 3

    [shanghai] = await inspections_of(uow.conn, in_shanghai)
    [new_york] = await inspections_of(uow.conn, in_new_york)
    [utc] = await inspections_of(uow.conn, without_site)
    assert (shanghai["month"], shanghai["site_id"], shanghai["due_by"]) == (
        "2026-12",
        first,
        date(2026, 12, 31),
    )
    assert (new_york["month"], utc["month"], utc["site_id"]) == ("2026-11", "2026-11", None)


async def test_warranty_decides_on_the_sites_day(uow):
    # 07:00 on 1 December in Shanghai: a warranty starting that day covers it; one that
    # ended on 30 November no longer does, though it is still 30 November in UTC.
    uow.now = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    starting, ended, future = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for customer in (starting, ended, future):
        await site(uow, customer)
    resident = await engineer(uow.conn)
    starts_today = await contract(uow, starting, resident=resident, start=date(2026, 12, 1))
    ended_yesterday = await contract(uow, ended, resident=resident, end=date(2026, 11, 30))
    starts_tomorrow = await contract(uow, future, resident=resident, start=date(2026, 12, 2))

    await handlers.schedule_inspections(SCHEDULE, uow)

    assert [r["month"] for r in await inspections_of(uow.conn, starts_today)] == ["2026-12"]
    assert await inspections_of(uow.conn, ended_yesterday) == []
    assert await inspections_of(uow.conn, starts_tomorrow) == []


async def test_without_an_active_resident_the_least_loaded_engineer_of_the_region_inspects(uow):
    customers = [uuid.uuid4() for _ in range(3)]
    for customer in customers:
        await site(uow, customer, region="north")
    gone = await engineer(uow.conn, ["north"], status="on_leave")
    busy = await engineer(uow.conn, ["north"], load=4)
    idle = await engineer(uow.conn, ["north"], load=0)
    pool = await engineer(uow.conn, [], team="mobile_pool", load=1)
    await engineer(uow.conn, ["south"], load=0)  # idle, but another region's
    contracts = [await contract(uow, c, resident=gone) for c in customers]

    assert await handlers.schedule_inspections(SCHEDULE, uow) == 3

    chosen = [(await inspections_of(uow.conn, c))[0]["engineer_id"] for c in contracts]
    # Each choice counts in the next: idle (0), then idle and the pool at 1 (the region's own
    # first), then the pool.
    assert sorted(chosen, key=[idle, pool].index) == [idle, idle, pool]
    assert busy not in chosen


async def test_nobody_to_send_still_schedules_the_inspection_unassigned(uow):
    customer = uuid.uuid4()
    await site(uow, customer, region="far-west")
    contract_id = await contract(uow, customer)

    await handlers.schedule_inspections(SCHEDULE, uow)

    [row] = await inspections_of(uow.conn, contract_id)
    assert row["engineer_id"] is None
    assert scheduled(uow, contract_id)[0].engineer_id is None


async def test_two_replicas_firing_at_once_schedule_one_inspection_per_contract(
    pool, dispatch_settings
):
    at = datetime(2031, 3, 10, 9, 0, tzinfo=UTC)
    async with work(pool, dispatch_settings, at) as setup:
        resident = await engineer(setup.conn)
        contracts = []
        for _ in range(3):
            customer = uuid.uuid4()
            await site(setup, customer)
            contracts.append(
                await contract(
                    setup,
                    customer,
                    resident=resident,
                    start=date(2031, 1, 1),
                    end=date(2031, 12, 31),
                )
            )
        await setup.commit()

    first_holds, go = asyncio.Event(), asyncio.Event()

    async def replica(hold: asyncio.Event | None) -> tuple[int, list[InspectionScheduled]]:
        async with work(pool, dispatch_settings, at) as unit:
            count = await handlers.schedule_inspections(SCHEDULE, unit)
            if hold is not None:
                hold.set()
                await go.wait()
            await unit.commit()
            return count, [e for e in scheduled(unit) if e.contract_id in contracts]

    first = asyncio.create_task(replica(first_holds))
    await first_holds.wait()  # the first has inserted its rows, uncommitted
    second = asyncio.create_task(replica(None))
    try:
        # Outside a transaction: pg_stat_activity is read once per transaction and then kept.
        async with pool.acquire() as watch:
            # The second saw the same contracts due and now waits on the first's inserts.
            for _ in range(200):
                waiting = await watch.fetchval(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if waiting:
                    break
                await asyncio.sleep(0.05)
            assert waiting == 1
    finally:
        go.set()
    (first_count, first_events), (second_count, second_events) = await first, await second

    assert (first_count, second_count) == (3, 0)
    assert sorted(e.contract_id for e in first_events) == sorted(contracts)
    assert second_events == []
    async with work(pool, dispatch_settings, at) as check:
        for contract_id in contracts:
            assert [r["month"] for r in await inspections_of(check.conn, contract_id)] == [
                "2031-03"
            ]
        assert await handlers.schedule_inspections(SCHEDULE, check) == 0


# --- the report ----------------------------------------------------------------------------


async def an_inspection(uow) -> tuple[uuid.UUID, uuid.UUID]:
    customer = uuid.uuid4()
    await site(uow, customer)
    resident = await engineer(uow.conn)
    contract_id = await contract(uow, customer, resident=resident)
    await handlers.schedule_inspections(SCHEDULE, uow)
    [row] = await inspections_of(uow.conn, contract_id)
    return row["id"], resident


def report(inspection_id, engineer_id, readings=GOOD, remedies=None) -> FileInspectionReport:
    return FileInspectionReport(
        inspection_id=inspection_id,
        engineer_id=engineer_id,
        readings=readings,
        remedies=remedies or {},
        findings="Dust in the core switch's intake filters",
        advice="Clean the filters quarterly",
        occurred_at=NOW - timedelta(hours=1),
        by=str(engineer_id),
    )


async def test_the_engineers_report_completes_the_inspection_with_its_remedies(uow):
    inspection_id, resident = await an_inspection(uow)
    readings = replace(GOOD, earth_resistance_ohm=1.4)
    remedy = {ReadingName.earth_resistance_ohm: "Re-bond the rack earth to the earth bar"}

    row = await handlers.file_report(report(inspection_id, resident, readings, remedy), uow)

    assert (row["status"], row["completed_at"]) == ("completed", NOW)
    assert row["report"]["nonconformities"] == [
        {
            "reading": "earth_resistance_ohm",
            "value": 1.4,
            "limit": "< 1 Ω",
            "remedy": "Re-bond the rack earth to the earth bar",
        }
    ]
    assert row["report"]["readings"]["earth_resistance_ohm"] == 1.4
    [completed] = [e for e, _ in uow.events if isinstance(e, InspectionCompleted)]
    assert (completed.inspection_id, completed.engineer_id) == (inspection_id, resident)
    assert completed.readings["ups_output_sufficient"] is True
    assert [(n.reading, n.remedy) for n in completed.nonconformities] == [
        ("earth_resistance_ohm", "Re-bond the rack earth to the earth bar")
    ]
    assert completed.occurred_at == NOW - timedelta(hours=1)


async def test_the_support_team_may_file_for_the_engineer(uow):
    inspection_id, resident = await an_inspection(uow)
    await handlers.file_report(report(inspection_id, None), uow)
    [completed] = [e for e, _ in uow.events if isinstance(e, InspectionCompleted)]
    assert completed.engineer_id == resident


async def test_a_second_report_is_refused(uow):
    inspection_id, resident = await an_inspection(uow)
    await handlers.file_report(report(inspection_id, resident), uow)
    with pytest.raises(InspectionReported):
        await handlers.file_report(report(inspection_id, resident), uow)


async def test_another_engineer_finds_no_such_inspection(uow):
    inspection_id, _ = await an_inspection(uow)
    with pytest.raises(InspectionNotFound):
        await handlers.file_report(report(inspection_id, await engineer(uow.conn)), uow)


async def test_a_nonconformity_without_a_remedy_leaves_the_inspection_open(uow):
    inspection_id, resident = await an_inspection(uow)
    with pytest.raises(RemedyMissing) as refused:
        await handlers.file_report(
            report(inspection_id, resident, replace(GOOD, corrosives=True)), uow
        )
    assert refused.value.context == {"readings": ["corrosives"]}
    row = await handlers.get_inspection(uow, inspection_id)
    assert (row["status"], row["report"]) == ("scheduled", None)


async def test_inspections_are_listed_by_engineer_and_month(uow):
    inspection_id, resident = await an_inspection(uow)
    listed = await handlers.list_inspections(
        uow,
        after=None,
        limit=10,
        contract_id=None,
        month="2026-11",
        engineer_id=resident,
        status=None,
    )
    assert [r["id"] for r in listed] == [inspection_id]
    assert (
        await handlers.list_inspections(
            uow,
            after=None,
            limit=10,
            contract_id=None,
            month="2026-12",
            engineer_id=resident,
            status=None,
        )
        == []
    )
