"""IV-7 against the running inventory service: a partner vendor reads availability of its own
manufacturer's parts by location, never a cost, a customer or a ticket; another maker's part is
the same 404 as one that does not exist; and each vendor's calls are counted.

The stack runs with a rate of 5 calls a minute per vendor: every test speaks as vendors of its
own, so one test's calls never count against another's. Parts, locations and ledger balances are
written as rows into inventory's schema: what is tested is what vendors read.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest

from shared.db import asyncpg_dsn
from shared.http.pagination import encode_cursor
from tests.support.stack import ServiceStack

pytestmark = pytest.mark.e2e

RATE = 5
# Anything internal a vendor's answer must never carry, at any depth.
INTERNAL = {
    "unit_cost",
    "cost",
    "customer_id",
    "customer",
    "ticket_id",
    "tickets",
    "on_hand",
    "reserved",
    "reservations",
}


@pytest.fixture(scope="module")
async def stack(
    database_url: str, broker: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ServiceStack]:
    services = ServiceStack(
        database_url=database_url,
        bootstrap=broker,
        log_dir=tmp_path_factory.mktemp("logs"),
        extra_env={"FIELDOPS_VENDOR_RATE_LIMIT": f"{RATE}/minute"},
    )
    await services.prepare()
    try:
        await services.start(["inventory"])
        yield services
    finally:
        await services.stop()


def maker() -> str:
    return f"Maker-{uuid.uuid4().hex[:8]}"


async def stocked(
    stack: ServiceStack, part: str, manufacturer: str, levels: dict[str, tuple[int, int]]
) -> dict[str, uuid.UUID]:
    """A part with a cost, and at each named location a balance of (on hand, reserved)."""
    at = datetime.now(UTC)
    conn = await asyncpg.connect(asyncpg_dsn(stack.database_url))
    try:
        await conn.execute(
            "INSERT INTO inventory.parts (part_number, manufacturer, description, models, "
            "original, condition, unit_cost, created_at, updated_at) "
            "VALUES ($1, $2, 'Redundant PSU', '{S5735}', true, 'new', 812.40, $3, $3)",
            part,
            manufacturer,
            at,
        )
        locations = {}
        for name, (on_hand, reserved) in levels.items():
            locations[name] = uuid.uuid4()
            await conn.execute(
                "INSERT INTO inventory.locations (id, name, kind, latitude, longitude, "
                "created_at) VALUES ($1, $2, 'regional', 39.9, 116.4, $3)",
                locations[name],
                name,
                at,
            )
            await conn.execute(
                "INSERT INTO inventory.movements (part_number, location_id, position, kind, "
                "on_hand_delta, reserved_delta, on_hand_after, reserved_after, by, at) "
                "VALUES ($1, $2, 1, 'adjustment', $3, $4, $3, $4, 'test', $5)",
                part,
                locations[name],
                on_hand,
                reserved,
                at,
            )
    finally:
        await conn.close()
    return locations


def keys(document: object) -> set[str]:
    if isinstance(document, dict):
        return set(document) | {k for v in document.values() for k in keys(v)}
    if isinstance(document, list):
        return {k for v in document for k in keys(v)}
    return set()


async def test_a_vendor_sees_its_parts_availability_by_location_and_nothing_internal(
    stack: ServiceStack,
):
    mine = maker()
    part = f"{mine}-PSU-1"
    where = await stocked(
        stack,
        part,
        mine,
        {f"{mine} Beijing": (5, 2), f"{mine} Shanghai": (3, 0), f"{mine} Chengdu": (2, 2)},
    )
    async with stack.client("inventory", "portal", "parts:read", vendor=mine) as vendor:
        answer = await vendor.get(f"/v1/parts/{part}/availability")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "part_number": part,
        "manufacturer": mine,
        "available": 6,
        # Chengdu has all it holds promised: nothing to be had there now.
        "locations": [
            {
                "location_id": str(where[name]),
                "name": name,
                "kind": "regional",
                "latitude": 39.9,
                "longitude": 116.4,
                "available": available,
            }
            for name, available in ((f"{mine} Beijing", 3), (f"{mine} Shanghai", 3))
        ],
    }
    assert not keys(answer.json()) & INTERNAL


async def test_another_makers_part_is_the_same_404_as_a_part_that_does_not_exist(
    stack: ServiceStack,
):
    mine, theirs = maker(), maker()
    other = f"{theirs}-FAN-1"
    missing = f"{theirs}-FAN-2"
    await stocked(stack, other, theirs, {f"{theirs} Depot": (4, 0)})
    async with stack.client("inventory", "portal", "parts:read", vendor=mine) as vendor:
        refused = await vendor.get(f"/v1/parts/{other}/availability")
        unknown = await vendor.get(f"/v1/parts/{missing}/availability")
    for answer in (refused, unknown):
        assert answer.status_code == 404
        assert answer.headers["content-type"] == "application/problem+json"
    # Byte for byte, once the part number asked for is set aside.
    assert refused.text.replace(other, "#") == unknown.text.replace(missing, "#")
    assert json.loads(refused.text)["type"].endswith("not-found")


async def test_a_vendor_lists_its_own_parts_only_a_page_at_a_time(stack: ServiceStack):
    mine, theirs = maker(), maker()
    for n in range(3):
        await stocked(stack, f"{mine}-P{n}", mine, {f"{mine} Hub {n}": (n + 1, 0)})
    await stocked(stack, f"{theirs}-P0", theirs, {f"{theirs} Hub": (9, 0)})
    async with stack.client("inventory", "portal", "parts:read", vendor=mine) as vendor:
        first = (await vendor.get("/v1/vendor/parts", params={"limit": 2})).json()
        rest = (
            await vendor.get(
                "/v1/vendor/parts", params={"limit": 2, "cursor": first["next_cursor"]}
            )
        ).json()
        bad = [
            await vendor.get("/v1/vendor/parts", params={"cursor": cursor})
            for cursor in ("not-a-cursor", encode_cursor(f"{mine}\x00"), encode_cursor(1))
        ]
    listed = first["items"] + rest["items"]
    assert [p["part_number"] for p in listed] == [f"{mine}-P0", f"{mine}-P1", f"{mine}-P2"]
    assert first["next_cursor"] is not None and rest["next_cursor"] is None
    assert set(first) == set(rest) == {"items", "next_cursor"}
    for answer in bad:
        assert answer.status_code == 422 and answer.json()["type"].endswith("cursor-invalid")
    assert [p["available"] for p in listed] == [1, 2, 3]
    assert listed[0]["locations"][0]["name"] == f"{mine} Hub 0"
    assert set(listed[0]) == {
        "part_number",
        "description",
        "models",
        "original",
        "condition",
        "available",
        "locations",
    }
    assert not keys(first) & INTERNAL


async def test_a_token_without_a_vendor_claim_has_no_parts_list(stack: ServiceStack):
    async with stack.client("inventory", "ops", "ops:read") as ops:
        answer = await ops.get("/v1/vendor/parts")
    assert answer.status_code == 403
    assert answer.headers["content-type"] == "application/problem+json"


async def test_a_vendor_over_its_rate_is_told_when_to_retry_and_others_are_not_held_up(
    stack: ServiceStack,
):
    mine, theirs = maker(), maker()
    part = f"{mine}-DISK-1"
    await stocked(stack, part, mine, {f"{mine} Store": (1, 0)})
    async with (
        stack.client("inventory", "portal", "parts:read", vendor=mine) as vendor,
        stack.client("inventory", "other-portal", "parts:read", vendor=theirs) as other,
        stack.client("inventory", "stores", "inventory:admin") as staff,
    ):
        # Its own parts, another maker's, its list: every call counts, whatever it answers.
        answers = [
            await vendor.get(f"/v1/parts/{part}/availability"),
            await vendor.get("/v1/parts/NOT-THERE/availability"),
            await vendor.get("/v1/vendor/parts"),
            await vendor.get(f"/v1/parts/{part}/availability"),
            await vendor.get(f"/v1/parts/{part}/availability"),
        ]
        over = await vendor.get(f"/v1/parts/{part}/availability")
        elsewhere = await other.get("/v1/vendor/parts")
        uncounted = [await staff.get(f"/v1/parts/{part}/availability") for _ in range(2 * RATE)]
    assert [a.status_code for a in answers] == [200, 404, 200, 200, 200]
    assert over.status_code == 429
    assert over.headers["content-type"] == "application/problem+json"
    assert 1 <= int(over.headers["retry-after"]) <= 60
    assert over.json()["type"].endswith("too-many-requests") and over.json()["status"] == 429
    assert elsewhere.status_code == 200
    assert {a.status_code for a in uncounted} == {200}
