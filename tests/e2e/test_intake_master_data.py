"""Customers' master data over HTTP, as a service centre's back office keeps it."""

import json
import uuid

import asyncpg
import pytest

from shared.db import asyncpg_dsn
from tests.support.stack import ServiceStack, eventually

pytestmark = pytest.mark.e2e

PROBLEM = "application/problem+json"


def problem(response, status: int, kind: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"].endswith(kind), body
    return body


def site_body(customer_id: str, **overrides) -> dict:
    return {
        "customer_id": customer_id,
        "name": "Pudong data centre",
        "address": "88 Century Avenue, Shanghai",
        "latitude": 31.2304,
        "longitude": 121.4737,
        "timezone": "Asia/Shanghai",
        "region": "east",
    } | overrides


def contract_body(customer_id: str, **overrides) -> dict:
    return {
        "customer_id": customer_id,
        "coverage": "5x8",
        "emergency_onsite_7x24": True,
        "onsite_minutes": 360,
        "calendar": "cn-5x8",
        "targets": {"P1": {"restore_minutes": 90}},
        "warranty_start": "2026-01-01",
        "originals_waiver": {
            "signed_by": "Li Na",
            "signed_at": "2025-12-20T10:00:00+08:00",
            "reference": "W-2025-118",
        },
        "resident_engineer_id": str(uuid.uuid4()),
        "ladder": [
            {
                "level": 2,
                "name": "Wang Fang",
                "email": "wf@example.com",
                "phone": "+86 21 5555 0002",
            },
            {
                "level": 1,
                "name": "Zhang Wei",
                "email": "zw@example.com",
                "phone": "+86 21 5555 0001",
            },
        ],
    } | overrides


async def new_customer(admin) -> str:
    response = await admin.post("/v1/customers", json={"name": "Pudong Bank", "region": "east"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_the_duty_roster_holds_one_primary_and_two_secondaries(stack: ServiceStack):
    async with stack.client("intake") as admin:
        customer_id = await new_customer(admin)
        path = f"/v1/customers/{customer_id}/contacts"
        primary = await admin.post(
            path,
            json={
                "name": "Chen Jie",
                "phone": "+86 138 0000 0001",
                "email": "cj@example.com",
                "role": "primary",
            },
        )
        assert primary.status_code == 201, primary.text
        assert primary.headers["location"] == f"/v1/contacts/{primary.json()['id']}"
        for n in (2, 3):
            added = await admin.post(
                path,
                json={"name": f"Duty {n}", "phone": f"+86 138 0000 000{n}", "role": "secondary"},
            )
            assert added.status_code == 201, added.text
        third = problem(
            await admin.post(
                path,
                json={"name": "One too many", "phone": "+86 138 0000 0009", "role": "secondary"},
            ),
            409,
            "conflict",
        )
        assert third["field"] == "role" and third["allowed"] == "one primary, two secondary"
        second_primary = problem(
            await admin.post(
                path, json={"name": "Another boss", "phone": "+86 138 0000 0008", "role": "primary"}
            ),
            409,
            "conflict",
        )
        assert "primary" in second_primary["detail"]
        demoted = await admin.patch(
            f"/v1/contacts/{primary.json()['id']}", json={"role": "secondary"}
        )
        problem(demoted, 409, "conflict")
        renamed = await admin.patch(
            f"/v1/contacts/{primary.json()['id']}", json={"phone": "+86 138 1111 0001"}
        )
        assert renamed.status_code == 200 and renamed.json()["phone"] == "+86 138 1111 0001"
        problem(
            await admin.patch(f"/v1/contacts/{primary.json()['id']}", json={"name": None}),
            422,
            "validation",
        )
        listed = (await admin.get(path)).json()
        problem(await admin.get(f"/v1/customers/{uuid.uuid4()}/contacts"), 404, "not-found")
        problem(
            await admin.post(
                f"/v1/customers/{uuid.uuid4()}/contacts",
                json={"name": "Nobody", "phone": "+86 1 2345", "role": "primary"},
            ),
            404,
            "not-found",
        )
        removed = await admin.delete(f"/v1/contacts/{listed['items'][1]['id']}")
        assert removed.status_code == 204
        room_again = await admin.post(
            path, json={"name": "Duty 4", "phone": "+86 138 0000 0004", "role": "secondary"}
        )
    assert [c["role"] for c in listed["items"]] == ["primary", "secondary", "secondary"]
    assert listed["next_cursor"] is None
    assert room_again.status_code == 201, room_again.text


async def test_customer_site_contract_and_asset_are_kept_and_announced(stack: ServiceStack):
    async with stack.client("intake") as admin:
        customer_id = await new_customer(admin)
        other_customer = await new_customer(admin)

        # Sites
        site = await admin.post("/v1/sites", json=site_body(customer_id))
        assert site.status_code == 201, site.text
        site = site.json()
        assert site["timezone"] == "Asia/Shanghai" and site["created_at"] == site["updated_at"]
        second_site = (
            await admin.post("/v1/sites", json=site_body(customer_id, name="Backup site"))
        ).json()
        foreign_site = (await admin.post("/v1/sites", json=site_body(other_customer))).json()
        bad_zone = problem(
            await admin.post("/v1/sites", json=site_body(customer_id, timezone="Mars/Olympus")),
            422,
            "validation",
        )
        assert bad_zone["errors"][0]["field"] == "timezone"
        bad_latitude = problem(
            await admin.post("/v1/sites", json=site_body(customer_id, latitude=91)),
            422,
            "validation",
        )
        assert bad_latitude["errors"][0]["field"] == "latitude"
        unknown = problem(
            await admin.post("/v1/sites", json=site_body(str(uuid.uuid4()))), 422, "rule-violated"
        )
        assert unknown["field"] == "customer_id"
        moved = await admin.patch(
            f"/v1/sites/{site['id']}", json={"region": "south", "latitude": 22.5}
        )
        assert moved.status_code == 200, moved.text
        assert (moved.json()["region"], moved.json()["latitude"], moved.json()["name"]) == (
            "south",
            22.5,
            site["name"],
        )
        assert (await admin.get(f"/v1/sites/{site['id']}")).json() == moved.json()
        first_page = (
            await admin.get("/v1/sites", params={"customer_id": customer_id, "limit": 1})
        ).json()
        second_page = (
            await admin.get(
                "/v1/sites",
                params={
                    "customer_id": customer_id,
                    "limit": 1,
                    "cursor": first_page["next_cursor"],
                },
            )
        ).json()
        assert [s["id"] for s in first_page["items"] + second_page["items"]] == [
            site["id"],
            second_site["id"],
        ]
        assert second_page["next_cursor"] is None

        # Contracts
        contract = await admin.post("/v1/contracts", json=contract_body(customer_id))
        assert contract.status_code == 201, contract.text
        contract = contract.json()
        assert (
            contract["warranty_end"] == "2026-12-31"
        )  # IN-10: one year from the start, both days included
        assert contract["effective_targets"]["P1"] == {
            "response_minutes": 30,
            "restore_minutes": 90,
        }
        assert contract["effective_targets"]["P4"] == {
            "response_minutes": 30,
            "restore_minutes": 1440,
        }
        assert [step["level"] for step in contract["ladder"]] == [1, 2]
        foreign_contract = (
            await admin.post("/v1/contracts", json=contract_body(other_customer))
        ).json()
        inverted = problem(
            await admin.post(
                "/v1/contracts",
                json=contract_body(
                    customer_id, warranty_start="2026-06-01", warranty_end="2026-05-31"
                ),
            ),
            422,
            "rule-violated",
        )
        assert inverted["field"] == "warranty_end"
        problem(
            await admin.post("/v1/contracts", json=contract_body(customer_id, calendar="mars-5x8")),
            422,
            "validation",
        )
        slow = problem(
            await admin.post(
                "/v1/contracts",
                json=contract_body(customer_id, targets={"P3": {"response_minutes": 300}}),
            ),
            422,
            "rule-violated",
        )
        assert slow["field"] == "targets"
        changed = await admin.patch(
            f"/v1/contracts/{contract['id']}",
            json={"resident_engineer_id": None, "originals_waiver": None, "coverage": "7x24"},
        )
        assert changed.status_code == 200, changed.text
        assert (
            changed.json()["resident_engineer_id"],
            changed.json()["originals_waiver"],
            changed.json()["coverage"],
        ) == (None, None, "7x24")
        listed = (await admin.get("/v1/contracts", params={"customer_id": customer_id})).json()
        assert [c["id"] for c in listed["items"]] == [contract["id"]]

        # The installed base
        serial = f"2102{uuid.uuid4().hex[:12].upper()}"
        asset_body = {
            "customer_id": customer_id,
            "site_id": site["id"],
            "contract_id": contract["id"],
            "manufacturer": "Huawei",
            "model": "S5735-L48T4X",
            "serial": serial,
            "accepted_on": "2026-03-15",
        }
        key = str(uuid.uuid4())
        asset = await admin.post("/v1/assets", json=asset_body, headers={"Idempotency-Key": key})
        assert asset.status_code == 201, asset.text
        retried = await admin.post("/v1/assets", json=asset_body, headers={"Idempotency-Key": key})
        asset = asset.json()
        assert retried.status_code == 201 and retried.json() == asset
        assert asset["warranty_end"] == "2027-03-14"
        duplicate = problem(await admin.post("/v1/assets", json=asset_body), 409, "conflict")
        assert duplicate["field"] == "serial"
        other_maker = await admin.post("/v1/assets", json=asset_body | {"manufacturer": "H3C"})
        assert other_maker.status_code == 201, other_maker.text
        theirs = problem(
            await admin.post(
                "/v1/assets", json=asset_body | {"serial": "X-1", "site_id": foreign_site["id"]}
            ),
            422,
            "rule-violated",
        )
        assert theirs["field"] == "site_id"
        theirs = problem(
            await admin.post(
                "/v1/assets",
                json=asset_body | {"serial": "X-2", "contract_id": foreign_contract["id"]},
            ),
            422,
            "rule-violated",
        )
        assert theirs["field"] == "contract_id"
        unknown = problem(
            await admin.post(
                "/v1/assets", json=asset_body | {"serial": "X-3", "contract_id": str(uuid.uuid4())}
            ),
            422,
            "rule-violated",
        )
        assert unknown["field"] == "contract_id"
        problem(
            await admin.post(
                "/v1/assets", json=asset_body | {"serial": "X-4", "warranty_end": "2026-03-14"}
            ),
            422,
            "rule-violated",
        )
        same_serial = (await admin.get("/v1/assets", params={"serial": serial})).json()
        assert sorted(a["manufacturer"] for a in same_serial["items"]) == ["H3C", "Huawei"]
        relocated = await admin.patch(
            f"/v1/assets/{asset['id']}", json={"site_id": second_site["id"]}
        )
        assert relocated.status_code == 200 and relocated.json()["site_id"] == second_site["id"]
        problem(
            await admin.patch(f"/v1/assets/{asset['id']}", json={"site_id": foreign_site["id"]}),
            422,
            "rule-violated",
        )
        problem(
            await admin.patch(f"/v1/assets/{asset['id']}", json={"serial": "NEW"}),
            422,
            "validation",
        )
        assert (await admin.get(f"/v1/assets/{asset['id']}")).json() == relocated.json()
        problem(await admin.get(f"/v1/assets/{uuid.uuid4()}"), 404, "not-found")

    # What dispatch, escalation and inventory hear of it, from the outbox once the relay published it.
    expected = {
        ("site.registered", site["id"]),
        ("site.updated", site["id"]),
        ("contract.registered", contract["id"]),
        ("contract.updated", contract["id"]),
        ("asset.registered", serial),
    }
    connection = await asyncpg.connect(asyncpg_dsn(stack.database_url))
    try:

        async def published():
            rows = await connection.fetch(
                "SELECT type, key, published_at FROM intake.outbox WHERE key = ANY($1::text[])",
                [site["id"], contract["id"], serial],
            )
            return rows if all(r["published_at"] for r in rows) and len(rows) == 6 else None

        rows = await eventually(published, timeout=10)
    finally:
        await connection.close()
    # Two asset.registered under one serial key: Huawei's and H3C's; the refused requests left nothing.
    assert {(r["type"], r["key"]) for r in rows} == expected
    assert sorted(r["type"] for r in rows).count("asset.registered") == 2


async def test_readers_read_and_only_the_back_office_writes(stack: ServiceStack):
    async with stack.client("intake") as admin:
        customer_id = await new_customer(admin)
        site = (await admin.post("/v1/sites", json=site_body(customer_id))).json()
    async with stack.client(
        "intake", "call-centre", "tickets:read", "tickets:write"
    ) as call_centre:
        assert (await call_centre.get(f"/v1/sites/{site['id']}")).status_code == 200
        problem(
            await call_centre.post("/v1/sites", json=site_body(customer_id)),
            403,
            "insufficient-scope",
        )
        problem(
            await call_centre.patch(f"/v1/sites/{site['id']}", json={"name": "x"}),
            403,
            "insufficient-scope",
        )
        problem(
            await call_centre.post("/v1/contracts", json=contract_body(customer_id)),
            403,
            "insufficient-scope",
        )


async def test_a_contracts_own_step_limits_are_kept_changed_whole_and_announced(
    stack: ServiceStack,
):
    async with stack.client("intake") as admin:
        customer_id = await new_customer(admin)
        limits = {
            "P1": {"accept_minutes": 10, "resolve_minutes": 45},
            "P3": {"arrive_minutes": 600},
        }
        created = await admin.post(
            "/v1/contracts", json=contract_body(customer_id, step_limits=limits)
        )
        assert created.status_code == 201, created.text
        contract = created.json()
        assert contract["step_limits"] == {
            "P1": {"accept_minutes": 10, "arrive_minutes": None, "resolve_minutes": 45},
            "P3": {"accept_minutes": None, "arrive_minutes": 600, "resolve_minutes": None},
        }
        assert (await admin.get(f"/v1/contracts/{contract['id']}")).json() == contract
        changed = await admin.patch(
            f"/v1/contracts/{contract['id']}",
            json={"step_limits": {"P2": {"accept_minutes": 20}}},
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["step_limits"] == {
            "P2": {"accept_minutes": 20, "arrive_minutes": None, "resolve_minutes": None}
        }
        assert changed.json()["targets"] == contract["targets"]  # the rest stays as it was
        without = await admin.post("/v1/contracts", json=contract_body(customer_id))
        assert without.status_code == 201 and without.json()["step_limits"] == {}

        for bad in (
            {"P1": {"accept_minutes": 0}},
            {"P1": {"arrive_minutes": 10_081}},  # longer than a week
            {"P1": {"resolve_minutes": 1.5}},
            {"P1": {"accept_minutes": "15"}},
            {"P1": {"accept_minutes": True}},
            {"P1": {"respond_minutes": 15}},
            {"P5": {"accept_minutes": 15}},
        ):
            refused = problem(
                await admin.post("/v1/contracts", json=contract_body(customer_id, step_limits=bad)),
                422,
                "validation",
            )
            assert refused["errors"][0]["field"].startswith("step_limits"), (bad, refused)
            problem(
                await admin.patch(f"/v1/contracts/{contract['id']}", json={"step_limits": bad}),
                422,
                "validation",
            )

    # Escalation hears each contract's limits with the contract itself.
    connection = await asyncpg.connect(asyncpg_dsn(stack.database_url))
    try:

        async def announced():
            rows = await connection.fetch(
                "SELECT type, payload FROM intake.outbox WHERE key = $1 ORDER BY created_at",
                contract["id"],
            )
            return rows if len(rows) == 2 else None

        rows = await eventually(announced, timeout=10)
    finally:
        await connection.close()
    data = {r["type"]: json.loads(r["payload"]) for r in rows}
    assert data["contract.registered"]["step_limits"] == contract["step_limits"]
    assert data["contract.updated"]["step_limits"] == changed.json()["step_limits"]
