"""Master-data stores on real PostgreSQL: what the database holds, refuses and finds."""

import uuid
from datetime import UTC, date, datetime

import pytest

from services.intake.assets import store as assets
from services.intake.assets.store import AmbiguousSerial, Asset, DuplicateSerial, UnknownSerial
from services.intake.contacts import store as contacts
from services.intake.contacts.roster import Role, RosterFull
from services.intake.contacts.store import Contact
from services.intake.contracts import store as contracts
from services.intake.contracts.rules import (
    Calendar,
    Contract,
    Coverage,
    LadderContact,
    Priority,
    StepLimitOverride,
    TargetOverride,
    Waiver,
)
from services.intake.references import UnknownReference
from services.intake.sites import store as sites
from services.intake.sites.store import Site

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


async def a_customer(conn) -> uuid.UUID:
    customer_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO intake.customers (id, name, region, created_at) VALUES ($1, 'Bank', 'east', $2)",
        customer_id,
        NOW,
    )
    return customer_id


def a_site(customer_id, **overrides) -> Site:
    return Site(
        **{
            "id": uuid.uuid4(),
            "customer_id": customer_id,
            "name": "DC 1",
            "address": "1 Road",
            "latitude": 31.2,
            "longitude": 121.5,
            "timezone": "Asia/Shanghai",
            "region": "east",
            "created_at": NOW,
            "updated_at": NOW,
        }
        | overrides
    )


def a_contract(customer_id, **overrides) -> Contract:
    return Contract(
        **{
            "id": uuid.uuid4(),
            "customer_id": customer_id,
            "coverage": Coverage.five_by_eight,
            "emergency_onsite_7x24": True,
            "onsite_minutes": 360,
            "calendar": Calendar.cn_5x8,
            "targets": {Priority.P1: TargetOverride(restore_minutes=90)},
            "step_limits": {Priority.P2: StepLimitOverride(accept_minutes=20, resolve_minutes=90)},
            "warranty_start": date(2026, 1, 1),
            "warranty_end": date(2026, 12, 31),
            "originals_waiver": Waiver("Li Na", NOW, "W-1"),
            "resident_engineer_id": uuid.uuid4(),
            "ladder": (
                LadderContact(1, "Zhang", "z@example.com", "+86 1"),
                LadderContact(2, "Wang"),
            ),
            "created_at": NOW,
            "updated_at": NOW,
        }
        | overrides
    )


async def placed(conn):
    customer_id = await a_customer(conn)
    site = await sites.insert(conn, a_site(customer_id))
    contract = await contracts.insert(conn, a_contract(customer_id))
    return customer_id, site, contract


def an_asset(customer_id, site, contract, **overrides) -> Asset:
    return Asset(
        **{
            "id": uuid.uuid4(),
            "customer_id": customer_id,
            "site_id": site.id,
            "contract_id": contract.id,
            "manufacturer": "Huawei",
            "model": "S5735",
            "serial": f"SN-{uuid.uuid4().hex[:10]}",
            "accepted_on": date(2026, 3, 1),
            "warranty_end": date(2027, 3, 1),
            "created_at": NOW,
            "updated_at": NOW,
        }
        | overrides
    )


async def test_a_contract_round_trips_with_its_targets_step_limits_waiver_and_ladder(conn):
    customer_id = await a_customer(conn)
    written = a_contract(customer_id)
    assert await contracts.insert(conn, written) == written
    assert await contracts.get(conn, written.id) == written


async def test_a_contract_without_waiver_or_overrides_round_trips(conn):
    customer_id = await a_customer(conn)
    written = a_contract(
        customer_id,
        originals_waiver=None,
        targets={},
        step_limits={},
        ladder=(),
        resident_engineer_id=None,
    )
    assert await contracts.insert(conn, written) == written


async def test_a_site_of_an_unknown_customer_is_refused_naming_the_field(conn):
    with pytest.raises(UnknownReference) as refused:
        await sites.insert(conn, a_site(uuid.uuid4()))
    assert refused.value.context["field"] == "customer_id"


async def test_lists_page_oldest_first_and_filter_by_customer(conn):
    mine, theirs = await a_customer(conn), await a_customer(conn)
    made = [
        await sites.insert(conn, a_site(mine, created_at=NOW.replace(minute=m))) for m in (1, 2, 3)
    ]
    await sites.insert(conn, a_site(theirs))
    first = await sites.page(conn, customer_id=mine, after=None, limit=2)
    assert [s.id for s in first] == [s.id for s in made]  # limit + 1: the third says there is more
    rest = await sites.page(conn, customer_id=mine, after=(made[1].created_at, made[1].id), limit=2)
    assert [s.id for s in rest] == [made[2].id]


async def test_the_same_serial_twice_for_one_manufacturer_is_a_conflict(conn):
    customer_id, site, contract = await placed(conn)
    first = await assets.insert(conn, an_asset(customer_id, site, contract))
    with pytest.raises(DuplicateSerial):
        await assets.insert(conn, an_asset(customer_id, site, contract, serial=first.serial))


async def test_the_same_serial_for_two_manufacturers_is_two_assets(conn):
    customer_id, site, contract = await placed(conn)
    first = await assets.insert(conn, an_asset(customer_id, site, contract))
    other = await assets.insert(
        conn, an_asset(customer_id, site, contract, serial=first.serial, manufacturer="H3C")
    )
    assert other.id != first.id


async def test_find_by_serial_returns_the_asset_with_its_contract(conn):
    customer_id, site, contract = await placed(conn)
    asset = await assets.insert(conn, an_asset(customer_id, site, contract))
    found = await assets.find_by_serial(conn, asset.serial)
    assert found.asset == asset and found.contract == contract


async def test_find_by_serial_refuses_a_serial_two_manufacturers_use_unless_told_which(conn):
    customer_id, site, contract = await placed(conn)
    huawei = await assets.insert(conn, an_asset(customer_id, site, contract))
    h3c = await assets.insert(
        conn, an_asset(customer_id, site, contract, serial=huawei.serial, manufacturer="H3C")
    )
    with pytest.raises(AmbiguousSerial) as refused:
        await assets.find_by_serial(conn, huawei.serial)
    assert refused.value.context["manufacturers"] == "H3C, Huawei"
    assert (await assets.find_by_serial(conn, huawei.serial, manufacturer="H3C")).asset == h3c


async def test_find_by_serial_names_an_unknown_serial(conn):
    customer_id, site, contract = await placed(conn)
    asset = await assets.insert(conn, an_asset(customer_id, site, contract))
    with pytest.raises(UnknownSerial):
        await assets.find_by_serial(conn, "NO-SUCH-SERIAL")
    with pytest.raises(UnknownSerial):
        await assets.find_by_serial(conn, asset.serial, manufacturer="Cisco")


async def test_an_asset_on_an_unknown_site_is_refused_naming_the_field(conn):
    customer_id, _, contract = await placed(conn)
    with pytest.raises(UnknownReference) as refused:
        await assets.insert(conn, an_asset(customer_id, a_site(customer_id), contract))
    assert refused.value.context["field"] == "site_id"


async def test_the_database_holds_one_primary_contact_per_customer(conn):
    customer_id = await a_customer(conn)

    def contact(role):
        return Contact(
            id=uuid.uuid4(),
            customer_id=customer_id,
            name="Li",
            phone="+86 1",
            email=None,
            role=role,
            created_at=NOW,
            updated_at=NOW,
        )

    await contacts.insert(conn, contact(Role.primary))
    with pytest.raises(RosterFull):
        await contacts.insert(conn, contact(Role.primary))
