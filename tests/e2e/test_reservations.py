"""Reservations over HTTP, on real processes: never promised twice across two inventory
replicas, refusals that change nothing, IV-4 at the door, and a ticket cancelled at intake
giving its parts back.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from shared.db import asyncpg_dsn
from tests.e2e.test_intake_master_data import PROBLEM, contract_body, problem, site_body
from tests.support.stack import ServiceStack, eventually

pytestmark = pytest.mark.e2e

COORDINATOR = ("coordinator", "dispatch:admin")
ENGINEER = ("7d6c5b4a-3f2e-4d1c-9b0a-8e7f6d5c4b3a", "assignments:write", "assignments:read")
BEIJING = (39.9042, 116.4074)
SHANGHAI = (31.2304, 121.4737)


@pytest.fixture(scope="module")
async def db(stack: ServiceStack) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(asyncpg_dsn(stack.database_url))
    yield conn
    await conn.close()


async def seed_stock(
    stack: ServiceStack,
    stock: dict[str, int],
    *,
    original: bool = True,
    condition: str = "new",
) -> str:
    """A new part, received at a location per entry of `stock` (name -> units; in Beijing or,
    for a name with "Shanghai" in it, Shanghai), through the catalogue's and receipts' API."""
    part = f"PN-{uuid.uuid4().hex[:10]}"
    async with stack.client("inventory", "parts-coordinator", "inventory:admin") as admin:
        made = await admin.post(
            "/v1/parts",
            json={
                "part_number": part,
                "manufacturer": "huawei",
                "description": "PSU",
                "original": original,
                "condition": condition,
                "unit_cost": 100,
            },
        )
        assert made.status_code == 201, made.text
        for name, units in stock.items():
            received = await admin.post(
                "/v1/receipts",
                json={
                    "part_number": part,
                    "location_id": await a_location(admin, name),
                    "quantity": units,
                    "delivery_reference": f"DN-{uuid.uuid4().hex[:12]}",
                },
            )
            assert received.status_code == 201, received.text
    return part


async def a_location(admin: httpx.AsyncClient, name: str) -> str:
    """The location of that name, made the first time it is asked for."""
    lat, lon = SHANGHAI if "Shanghai" in name else BEIJING
    made = await admin.post(
        "/v1/locations",
        json={"name": name, "kind": "regional_office", "latitude": lat, "longitude": lon},
    )
    if made.status_code == 201:
        return made.json()["id"]
    assert made.status_code == 409, made.text
    listed = (await admin.get("/v1/locations", params={"limit": 200})).json()
    return next(loc["id"] for loc in listed["items"] if loc["name"] == name)


async def a_ticket(stack: ServiceStack, db: asyncpg.Connection, *, waiver: bool) -> str:
    """A ticket made at intake for a customer in Shanghai, once inventory has heard of it and
    of its contract."""
    async with stack.client("intake") as admin:
        customer = (
            await admin.post("/v1/customers", json={"name": "ACME", "region": "east"})
        ).json()
        site = (await admin.post("/v1/sites", json=site_body(customer["id"]))).json()
        body = contract_body(customer["id"], warranty_start="2026-01-01")
        if not waiver:
            body["originals_waiver"] = None
        contract = await admin.post("/v1/contracts", json=body)
        assert contract.status_code == 201, contract.text
    async with stack.client("intake", "call-centre", "tickets:write", "tickets:read") as centre:
        created = await centre.post(
            "/v1/tickets",
            json={
                "customer_id": customer["id"],
                "site_id": site["id"],
                "summary": "Core switch PSU failed",
                "channel": "phone",
                "category": "network",
                "impact": "degraded",
            },
        )
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]

    async def known() -> bool:
        return await db.fetchval(
            "SELECT count(*) FROM inventory.tickets t JOIN inventory.contracts c "
            "ON c.id = t.contract_id WHERE t.id = $1",
            uuid.UUID(ticket_id),
        )

    await eventually(known, timeout=20)
    return ticket_id


async def reserved_in_ledger(db: asyncpg.Connection, part: str) -> tuple[int, int]:
    """(reserved, available) over the part's locations, from each one's latest ledger row."""
    row = await db.fetchrow(
        "SELECT sum(reserved_after)::int AS reserved, "
        "sum(on_hand_after - reserved_after)::int AS available FROM ("
        "  SELECT DISTINCT ON (location_id) reserved_after, on_hand_after "
        "  FROM inventory.movements WHERE part_number = $1 "
        "  ORDER BY location_id, position DESC) latest",
        part,
    )
    return row["reserved"], row["available"]


async def test_100_concurrent_requests_for_the_last_10_units_on_two_replicas_get_exactly_10(
    stack, db
):
    await stack.start_replica("inventory", "inventory-2")
    part = await seed_stock(stack, {"Beijing office": 6, "Shanghai HQ": 4})
    ticket_id = await a_ticket(stack, db, waiver=False)
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    clients = [
        stack.client(replica, *COORDINATOR, timeout=60.0, limits=limits)
        for replica in ("inventory", "inventory-2")
    ]
    try:
        start = asyncio.Event()

        async def ask(n: int) -> httpx.Response:
            await start.wait()
            return await clients[n % 2].post(
                f"/v1/tickets/{ticket_id}/reservations",
                json={"part_number": part, "quantity": 1},
            )

        asking = [asyncio.create_task(ask(n)) for n in range(100)]
        await asyncio.sleep(0.1)
        start.set()
        answers = await asyncio.gather(*asking)
    finally:
        for client in clients:
            await client.aclose()
    assert Counter(a.status_code for a in answers) == {201: 10, 409: 90}
    for refusal in (a for a in answers if a.status_code == 409):
        assert refusal.headers["content-type"] == PROBLEM
        body = refusal.json()
        assert body["type"].endswith("insufficient-stock"), body
        assert "backorder" in body["detail"]
    # Each replica answered half: the part's lock in PostgreSQL, not one process, kept the count.
    held = [a.json() for a in answers if a.status_code == 201]
    assert len({r["id"] for r in held}) == 10
    assert Counter(r["location_name"] for r in held) == {"Shanghai HQ": 4, "Beijing office": 6}
    assert await reserved_in_ledger(db, part) == (10, 0)
    assert (
        await db.fetchval(
            "SELECT count(*) FROM inventory.movements WHERE part_number = $1 "
            "AND kind = 'reservation'",
            part,
        )
        == 10
    )
    async with stack.client("inventory", *COORDINATOR) as coordinator:
        listed = (await coordinator.get(f"/v1/tickets/{ticket_id}/reservations")).json()
    assert sorted(r["id"] for r in listed) == sorted(r["id"] for r in held)


async def test_bad_input_is_a_clear_problem_and_changes_nothing(stack, db):
    part = await seed_stock(stack, {"Beijing office": 3})
    ticket_id = await a_ticket(stack, db, waiver=False)
    async with stack.client("inventory", *COORDINATOR) as coordinator:
        url = f"/v1/tickets/{ticket_id}/reservations"
        for quantity in (0, -1, 10_001, 1.5, "1", True):
            answer = await coordinator.post(url, json={"part_number": part, "quantity": quantity})
            problem(answer, 422, "validation")
        problem(
            await coordinator.post(url, json={"part_number": "NO-SUCH-PART", "quantity": 1}),
            404,
            "not-found",
        )
        problem(
            await coordinator.post(
                f"/v1/tickets/{uuid.uuid4()}/reservations",
                json={"part_number": part, "quantity": 1},
            ),
            404,
            "not-found",
        )
        refused = problem(
            await coordinator.post(
                f"/v1/tickets/{ticket_id}/consumptions", json={"part_number": part, "quantity": 1}
            ),
            409,
            "not-reserved",
        )
        assert refused["reserved"] == 0
        assert (await coordinator.get(url)).json() == []
    assert await reserved_in_ledger(db, part) == (0, 3)


async def test_a_refurbished_part_needs_the_customers_waiver_and_the_reservation_cites_it(
    stack, db
):
    part = await seed_stock(stack, {"Beijing office": 3}, condition="refurbished")
    without = await a_ticket(stack, db, waiver=False)
    with_waiver = await a_ticket(stack, db, waiver=True)
    async with stack.client("inventory", *COORDINATOR) as coordinator:
        refused = problem(
            await coordinator.post(
                f"/v1/tickets/{without}/reservations", json={"part_number": part, "quantity": 1}
            ),
            409,
            "originals-only",
        )
        assert refused["requirement"] == "IV-4"
        assert "signed waiver" in refused["rule"]
        made = await coordinator.post(
            f"/v1/tickets/{with_waiver}/reservations", json={"part_number": part, "quantity": 1}
        )
    assert made.status_code == 201, made.text
    assert made.json()["waiver_reference"] == "W-2025-118"
    assert made.headers["location"] == f"/v1/reservations/{made.json()['id']}"


async def test_an_engineer_picks_and_returns_and_a_cancelled_ticket_gives_the_rest_back(stack, db):
    part = await seed_stock(stack, {"Beijing office": 2, "Shanghai HQ": 2})
    ticket_id = await a_ticket(stack, db, waiver=False)
    async with (
        stack.client("inventory", *COORDINATOR) as coordinator,
        stack.client("inventory", *ENGINEER) as engineer,
    ):
        url = f"/v1/tickets/{ticket_id}/reservations"
        first = (await coordinator.post(url, json={"part_number": part, "quantity": 2})).json()
        # The site is in Shanghai: the nearer location is chosen.
        assert (first["location_name"], first["distance_km"]) == ("Shanghai HQ", 0.0)
        second = (await coordinator.post(url, json={"part_number": part, "quantity": 1})).json()
        assert second["location_name"] == "Beijing office"
        picked = await engineer.post(f"/v1/reservations/{first['id']}/pick")
        assert picked.json()["status"] == "picked"
        illegal = problem(
            await engineer.post(f"/v1/reservations/{first['id']}/pick"), 409, "conflict"
        )
        assert (illegal["current_status"], illegal["allowed"]) == (
            "picked",
            ["consume", "return", "cancel"],
        )
        # Releasing is the coordinator's: an engineer may only pick and return.
        assert (await engineer.post(f"/v1/reservations/{second['id']}/release")).status_code == 403
        returned = await engineer.post(f"/v1/reservations/{first['id']}/return")
        assert (returned.json()["status"], returned.json()["reason"]) == ("returned", "returned")
    async with stack.client("intake", "call-centre", "tickets:write") as centre:
        cancelled = await centre.post(
            f"/v1/tickets/{ticket_id}/cancel", json={"reason": "Customer fixed it"}
        )
        assert cancelled.status_code == 200, cancelled.text
    async with stack.client("inventory", *COORDINATOR) as coordinator:

        async def released():
            row = (await coordinator.get(f"/v1/reservations/{second['id']}")).json()
            return row if row["status"] == "released" else None

        row = await eventually(released, timeout=20)
        assert row["reason"] == "ticket_cancelled"
        refused = problem(
            await coordinator.post(url, json={"part_number": part, "quantity": 1}), 409, "conflict"
        )
        assert refused["ticket_status"] == "cancelled"
    assert await reserved_in_ledger(db, part) == (0, 4)


async def test_a_reservation_not_picked_in_time_expires_once_across_replicas(stack, db):
    part = await seed_stock(stack, {"Beijing office": 1})
    ticket_id = await a_ticket(stack, db, waiver=False)
    async with stack.client("inventory", *COORDINATOR) as coordinator:
        made = await coordinator.post(
            f"/v1/tickets/{ticket_id}/reservations", json={"part_number": part, "quantity": 1}
        )
        assert made.status_code == 201, made.text
        for replica in ("inventory", "inventory-2"):
            await stack.advance_clock(replica, 14 * 24 * 3600 + 1)

        async def expired():
            row = (await coordinator.get(f"/v1/reservations/{made.json()['id']}")).json()
            return row if row["status"] == "released" else None

        row = await eventually(expired, timeout=20)
    assert row["reason"] == "expired"
    assert await reserved_in_ledger(db, part) == (0, 1)
    kinds = await db.fetch(
        "SELECT kind FROM inventory.movements WHERE part_number = $1 ORDER BY seq", part
    )
    assert [k["kind"] for k in kinds] == ["receipt", "reservation", "release"]
