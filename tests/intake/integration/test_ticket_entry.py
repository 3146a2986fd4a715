"""Ticket entry on real PostgreSQL: by serial with its entitlement, refusals naming the field,
alarms folded in one batch and across batches, and a new ticket once the old one is resolved.

Each test runs in a unit of work that is never committed: what it writes is rolled back.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest

from services.intake.assets import store as assets
from services.intake.assets.store import AmbiguousSerial, UnknownSerial
from services.intake.contracts import store as contracts
from services.intake.references import ForeignReference, UnknownReference
from services.intake.sites import store as sites
from services.intake.tickets import handlers
from services.intake.tickets.classification import Channel, Impact, UnknownCustomer
from services.intake.tickets.commands import Alarm, CreateTicket
from services.intake.tickets.entry import ReportedInTheFuture, SerialOfAnotherCustomer
from shared.clock import FrozenClock
from shared.db import UnitOfWork
from shared.events.intake import TicketCreated
from shared.vocabulary import Category
from tests.intake.integration.test_master_data_store import a_contract, a_site, an_asset

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def uow(pool, intake_settings) -> AsyncIterator[UnitOfWork]:
    async with UnitOfWork(pool, intake_settings, clock=FrozenClock(NOW)) as work:
        yield work


async def a_customer(conn, region="east") -> uuid.UUID:
    customer_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO intake.customers (id, name, region, created_at) VALUES ($1, 'Bank', $2, $3)",
        customer_id,
        region,
        NOW,
    )
    return customer_id


async def installed(conn, serial=None, **asset_overrides):
    customer_id = await a_customer(conn)
    site = await sites.insert(conn, a_site(customer_id, region="south"))
    contract = await contracts.insert(conn, a_contract(customer_id))
    asset = await assets.insert(
        conn,
        an_asset(
            customer_id,
            site,
            contract,
            serial=serial or f"SN-{uuid.uuid4().hex[:8]}",
            **asset_overrides,
        ),
    )
    return customer_id, site, contract, asset


def report(**overrides) -> CreateTicket:
    return CreateTicket(
        **{
            "customer_id": None,
            "summary": "Link down",
            "description": "",
            "channel": Channel.phone,
            "category": Category.network,
            "impact": Impact.degraded,
            "region": None,
            "created_by": "call-centre",
        }
        | overrides
    )


def alarm(serial: str, code: str = "LINK-DOWN", **overrides) -> CreateTicket:
    return report(
        serial=serial, channel=Channel.monitoring, alarm=Alarm("zabbix", code), **overrides
    )


async def test_a_report_by_serial_finds_customer_site_and_contract_and_is_entitled(uow):
    customer_id, site, contract, asset = await installed(
        uow.conn, accepted_on=date(2026, 3, 1), warranty_end=date(2027, 2, 28)
    )
    [(ticket, [event])] = await handlers.create_tickets(uow, [report(serial=asset.serial)])
    assert (ticket["customer_id"], ticket["site_id"], ticket["asset_id"]) == (
        customer_id,
        site.id,
        asset.id,
    )
    assert (ticket["contract_id"], ticket["coverage"], ticket["calendar"]) == (
        contract.id,
        "5x8",
        "cn-5x8",
    )
    assert ticket["in_warranty"] is True and ticket["chargeable"] is False
    assert ticket["region"] == "south"  # the site's region before the customer's
    assert ticket["reported_at"] == NOW == ticket["last_occurred_at"]
    assert isinstance(event, TicketCreated)
    assert (event.asset_serial, event.asset_model, event.contract_id, event.in_warranty) == (
        asset.serial,
        asset.model,
        contract.id,
        True,
    )


async def test_the_assets_warranty_not_the_contracts_decides_what_is_charged(uow):
    # The contract's warranty runs through 2026; this asset's ended in November.
    *_, asset = await installed(
        uow.conn, accepted_on=date(2025, 11, 1), warranty_end=date(2026, 10, 31)
    )
    [(ticket, _)] = await handlers.create_tickets(uow, [report(serial=asset.serial)])
    assert ticket["in_warranty"] is False and ticket["chargeable"] is True


async def test_a_report_by_customer_takes_its_only_contract(uow):
    customer_id = await a_customer(uow.conn)
    contract = await contracts.insert(uow.conn, a_contract(customer_id))
    [(ticket, [event])] = await handlers.create_tickets(uow, [report(customer_id=customer_id)])
    assert ticket["contract_id"] == contract.id and ticket["asset_id"] is None
    assert event.contract_id == contract.id and event.asset_serial is None


async def test_a_customer_with_two_current_contracts_gets_no_entitlement_and_pays(uow):
    customer_id = await a_customer(uow.conn)
    for _ in range(2):
        await contracts.insert(uow.conn, a_contract(customer_id))
    [(ticket, [event])] = await handlers.create_tickets(uow, [report(customer_id=customer_id)])
    assert ticket["contract_id"] is None and ticket["in_warranty"] is None
    assert ticket["chargeable"] is True and event.chargeable is True


async def test_refusals_name_the_field_and_spare_the_rest_of_the_batch(uow):
    customer_id, _, _, asset = await installed(uow.conn)
    other = await a_customer(uow.conn)
    foreign_site = await sites.insert(uow.conn, a_site(other))
    outcomes = await handlers.create_tickets(
        uow,
        [
            report(serial="NO-SUCH-SERIAL"),
            report(customer_id=uuid.uuid4()),
            report(serial=asset.serial, customer_id=other),
            report(customer_id=customer_id, reported_at=NOW + timedelta(minutes=6)),
            report(customer_id=customer_id, site_id=foreign_site.id),
            report(customer_id=customer_id, contact_id=uuid.uuid4()),
            report(serial=asset.serial, customer_id=customer_id),
        ],
    )
    kinds = [type(o) for o in outcomes[:6]]
    assert kinds == [
        UnknownSerial,
        UnknownCustomer,
        SerialOfAnotherCustomer,
        ReportedInTheFuture,
        ForeignReference,
        UnknownReference,
    ]
    assert [o.context["field"] for o in outcomes[:6]] == [
        "serial",
        "customer_id",
        "serial",
        "reported_at",
        "site_id",
        "contact_id",
    ]
    ticket, _ = outcomes[6]
    assert ticket["asset_id"] == asset.id


async def test_a_serial_two_makers_use_needs_the_manufacturer(uow):
    *_, asset = await installed(uow.conn, serial="SN-TWIN", manufacturer="huawei")
    await installed(uow.conn, serial="SN-TWIN", manufacturer="h3c")
    [refused, (ticket, _)] = await handlers.create_tickets(
        uow, [report(serial="SN-TWIN"), report(serial="SN-TWIN", manufacturer="huawei")]
    )
    assert isinstance(refused, AmbiguousSerial) and refused.context["field"] == "manufacturer"
    assert ticket["asset_id"] == asset.id


async def test_a_late_report_counts_from_when_it_was_reported(uow):
    customer_id = await a_customer(uow.conn)
    earlier = NOW - timedelta(hours=3)
    [(ticket, [event])] = await handlers.create_tickets(
        uow, [report(customer_id=customer_id, reported_at=earlier)]
    )
    assert ticket["reported_at"] == event.reported_at == earlier
    assert ticket["created_at"] == event.created_at == NOW


async def test_repeats_of_one_alarm_in_one_batch_open_one_ticket(uow):
    *_, asset = await installed(uow.conn)
    outcomes = await handlers.create_tickets(uow, [alarm(asset.serial) for _ in range(5)])
    first, events = outcomes[0]
    assert len(events) == 1 and first["occurrences"] == 1
    assert all(o.get("folded") for o in outcomes[1:])
    assert [o["occurrences"] for o in outcomes[1:]] == [2, 3, 4, 5]
    assert {o["id"] for o in outcomes[1:]} == {first["id"]}
    assert (
        await uow.conn.fetchval("SELECT occurrences FROM intake.tickets WHERE id = $1", first["id"])
        == 5
    )


async def test_an_alarm_folds_into_its_open_ticket_across_batches_and_not_after_resolution(uow):
    *_, asset = await installed(uow.conn)
    [(first, _)] = await handlers.create_tickets(uow, [alarm(asset.serial)])
    later = NOW + timedelta(minutes=1)
    uow.now = later
    [again, other_code] = await handlers.create_tickets(
        uow, [alarm(asset.serial), alarm(asset.serial, code="FAN-FAIL")]
    )
    assert again["folded"] and again["id"] == first["id"] and again["occurrences"] == 2
    assert again["last_occurred_at"] == later
    assert other_code[0]["id"] != first["id"]  # another alarm is another fault
    # A phone call about the same asset is not an alarm: it never folds.
    [(phoned, _)] = await handlers.create_tickets(uow, [report(serial=asset.serial)])
    assert phoned["id"] != first["id"]

    await uow.conn.execute(
        "UPDATE intake.tickets SET status = 'resolved' WHERE id = $1", first["id"]
    )
    [(reopened, [event])] = await handlers.create_tickets(uow, [alarm(asset.serial)])
    assert reopened["id"] != first["id"] and reopened["occurrences"] == 1
    assert event.ticket_id == reopened["id"]


async def test_concurrent_transactions_fold_one_alarm_into_one_ticket(pool, intake_settings):
    # Group commits of several workers or replicas: each its own transaction, all at once.
    # Committed for real (the module's database is dropped afterwards).
    async with UnitOfWork(pool, intake_settings, clock=FrozenClock(NOW)) as setup:
        *_, asset = await installed(setup.conn)
        await setup.commit()

    async def batch_of_alarms() -> list:
        async with UnitOfWork(pool, intake_settings, clock=FrozenClock(NOW)) as work:
            outcomes = await handlers.create_tickets(work, [alarm(asset.serial)] * 4)
            await work.commit()
        return outcomes

    batches = await asyncio.gather(*(batch_of_alarms() for _ in range(3)))
    outcomes = [o for batch in batches for o in batch]
    created = [o for o in outcomes if isinstance(o, tuple)]
    assert len(created) == 1
    seen = sorted(
        o[0]["occurrences"] if isinstance(o, tuple) else o["occurrences"] for o in outcomes
    )
    assert seen == list(range(1, 13))  # each alarm counted once, none lost
    async with pool.acquire() as conn:
        assert (
            await conn.fetchval("SELECT count(*) FROM intake.tickets WHERE asset_id = $1", asset.id)
            == 1
        )


async def test_a_write_that_loses_a_deadlock_is_tried_again_in_its_savepoint(pool, migrated):
    # A consumer of dispatch's facts moves several tickets in one transaction, in its own order;
    # a fold locking the same tickets in another order loses the deadlock, and tries again.
    from services.intake.tickets import store
    from shared.db import asyncpg_dsn

    async with pool.acquire() as setup:
        customer_id = await a_customer(setup)
        first, second = uuid.uuid4(), uuid.uuid4()
        for ticket_id, number in ((first, "T-DL-1"), (second, "T-DL-2")):
            await setup.execute(
                """INSERT INTO intake.tickets (id, number, customer_id, summary, description, channel,
                       category, impact, priority, status, created_by, created_at, updated_at,
                       reported_at, occurrences, last_occurred_at)
                   VALUES ($1, $2, $3, 's', '', 'phone', 'network', 'minor', 'P4', 'new', 't',
                           $4, $4, $4, 1, $4)""",
                ticket_id,
                number,
                customer_id,
                NOW,
            )
    consumer = await asyncpg.connect(asyncpg_dsn(migrated))
    attempts = 0
    try:
        consumer_tx = consumer.transaction()
        await consumer_tx.start()
        await consumer.execute(
            "UPDATE intake.tickets SET status = 'assigned' WHERE id = $1", second
        )
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("SET LOCAL deadlock_timeout = '50ms'")  # this side is the victim

            async def work() -> int:
                nonlocal attempts
                attempts += 1
                await conn.execute("UPDATE intake.tickets SET occurrences = 2 WHERE id = $1", first)
                if attempts == 1:  # the consumer now wants `first` while this waits for `second`
                    asyncio.get_running_loop().call_later(
                        0.01,
                        lambda: asyncio.ensure_future(consumer_moves_first()),
                    )
                await conn.execute(
                    "UPDATE intake.tickets SET occurrences = 2 WHERE id = $1", second
                )
                return attempts

            async def consumer_moves_first() -> None:
                await consumer.execute(
                    "UPDATE intake.tickets SET status = 'assigned' WHERE id = $1", first
                )
                await consumer_tx.commit()

            assert await store.retrying_deadlocks(conn, work) == 2
            assert (
                await conn.fetchval(
                    "SELECT sum(occurrences) FROM intake.tickets WHERE id = ANY($1::uuid[])",
                    [first, second],
                )
                == 4
            )
    finally:
        await consumer.close()


async def a_contact(conn, customer_id, name: str, role: str) -> uuid.UUID:
    contact_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO intake.contacts (id, customer_id, name, phone, role, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $6)",
        contact_id,
        customer_id,
        name,
        f"+86 21 5555 {name[:4]}",
        role,
        NOW,
    )
    return contact_id


async def test_the_engineer_is_told_whom_to_call_the_tickets_contact_else_the_primary(uow):
    customer_id = await a_customer(uow.conn)
    await a_contact(uow.conn, customer_id, "Wang Wei", "primary")
    named = await a_contact(uow.conn, customer_id, "Li Na", "secondary")
    nobodys = await a_customer(uow.conn)
    outcomes = await handlers.create_tickets(
        uow,
        [
            report(customer_id=customer_id, contact_id=named),
            report(customer_id=customer_id),
            report(customer_id=nobodys),
        ],
    )
    contacts = [event.contact for _, [event] in outcomes]
    assert [(c.name, c.phone) if c else None for c in contacts] == [
        ("Li Na", "+86 21 5555 Li N"),
        ("Wang Wei", "+86 21 5555 Wang"),
        None,
    ]
