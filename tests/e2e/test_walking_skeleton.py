"""One ticket through all four services, as a call centre, a dispatcher and an engineer would see it."""

import time
import uuid
from datetime import UTC, datetime

import pytest

from tests.support.stack import ServiceStack, eventually

pytestmark = pytest.mark.e2e


async def new_customer(stack: ServiceStack, region: str | None = None) -> str:
    async with stack.client("intake") as admin:
        response = await admin.post(
            "/v1/customers", json={"name": "ACME Logistics", "region": region}
        )
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def new_engineer(stack: ServiceStack, skills: list[str], region: str | None = None) -> str:
    async with stack.client("dispatch", "team-lead", "dispatch:admin") as lead:
        response = await lead.post(
            "/v1/engineers", json={"name": "Wang Wei", "skills": skills, "region": region}
        )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def ticket_body(customer_id: str, **overrides) -> dict:
    return {
        "customer_id": customer_id,
        "summary": "Core switch down",
        "description": "All floors offline",
        "channel": "phone",
        "category": "network",
        "impact": "outage",
    } | overrides


async def test_a_ticket_is_assigned_and_gets_its_sla_clocks_within_five_seconds(
    stack: ServiceStack,
):
    customer_id = await new_customer(stack, region="north")
    engineer_id = await new_engineer(stack, ["network", "host"], region="north")

    async with stack.client(
        "intake", "call-centre", "tickets:write", "tickets:read"
    ) as call_centre:
        created = await call_centre.post(
            "/v1/tickets",
            json=ticket_body(customer_id),
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
    answered_at = time.monotonic()
    assert created.status_code == 201, created.text
    ticket = created.json()
    assert (
        ticket["priority"] == "P1"
        and ticket["status"] == "new"
        and ticket["number"].startswith("T-")
    )
    assert created.headers["location"] == f"/v1/tickets/{ticket['id']}"

    async with (
        stack.client("dispatch", engineer_id, "assignments:read", "assignments:write") as phone,
        stack.client("escalation", "ops", "sla:read") as ops,
    ):

        async def my_assignment():
            page = (await phone.get("/v1/me/assignments")).json()
            return [a for a in page["items"] if a["ticket_id"] == ticket["id"]]

        async def clocks():
            response = await ops.get(f"/v1/tickets/{ticket['id']}/sla")
            return response.json()["clocks"] if response.status_code == 200 else None

        [assignment] = await eventually(my_assignment, timeout=5.0)
        sla = await eventually(clocks, timeout=5.0 - (time.monotonic() - answered_at))
        assert assignment["engineer_id"] == engineer_id and assignment["status"] == "assigned"
        # No asset named: no repair clock.
        assert {c["kind"] for c in sla} == {"response", "on_site", "restore"}
        assert all(c["met_at"] is None and c["breached"] is False for c in sla)

        accepted = await phone.post(
            f"/v1/assignments/{assignment['id']}/accept",
            json={"occurred_at": datetime.now(UTC).isoformat()},
        )
        assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
        again = await phone.post(
            f"/v1/assignments/{assignment['id']}/accept",
            json={"occurred_at": datetime.now(UTC).isoformat()},
        )
        assert (
            again.status_code == 200
            and again.json()["accepted_at"] == accepted.json()["accepted_at"]
        )

        async def response_met():
            by_kind = {
                c["kind"]: c
                for c in (await ops.get(f"/v1/tickets/{ticket['id']}/sla")).json()["clocks"]
            }
            return by_kind["response"]["met_at"] and by_kind

        by_kind = await eventually(response_met)
        assert by_kind["restore"]["met_at"] is None

    async with stack.client("intake", "ops", "tickets:read") as reader:

        async def in_progress():
            return (await reader.get(f"/v1/tickets/{ticket['id']}")).json()[
                "status"
            ] == "in_progress"

        await eventually(in_progress)


async def test_a_ticket_nobody_can_take_is_reported_unassigned(stack: ServiceStack):
    customer_id = await new_customer(stack)
    async with stack.client("intake") as admin:
        ticket = (
            await admin.post("/v1/tickets", json=ticket_body(customer_id, category="security"))
        ).json()

        async def unassigned():
            return (await admin.get(f"/v1/tickets/{ticket['id']}")).json()["status"] == "unassigned"

        await eventually(unassigned)


async def test_a_retry_with_the_same_idempotency_key_returns_the_first_answer(stack: ServiceStack):
    customer_id = await new_customer(stack)
    key = str(uuid.uuid4())
    async with stack.client("intake", "call-centre", "tickets:write", "tickets:read") as client:
        first = await client.post(
            "/v1/tickets", json=ticket_body(customer_id), headers={"Idempotency-Key": key}
        )
        retry = await client.post(
            "/v1/tickets", json=ticket_body(customer_id), headers={"Idempotency-Key": key}
        )
        other = await client.post(
            "/v1/tickets",
            json=ticket_body(customer_id, summary="Something else"),
            headers={"Idempotency-Key": key},
        )
        listed = (await client.get("/v1/tickets", params={"customer_id": customer_id})).json()
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry.headers["idempotent-replayed"] == "true"
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["type"].endswith("idempotency-key-reused")
    assert [t["id"] for t in listed["items"]] == [first.json()["id"]]


async def test_ticket_lists_page_with_an_opaque_cursor(stack: ServiceStack):
    customer_id = await new_customer(stack)
    async with stack.client("intake") as client:
        made = [
            (
                await client.post(
                    "/v1/tickets", json=ticket_body(customer_id, summary=f"fault {i}")
                )
            ).json()["id"]
            for i in range(5)
        ]
        seen, cursor = [], None
        while True:
            params = {"customer_id": customer_id, "limit": 2} | (
                {"cursor": cursor} if cursor else {}
            )
            page = (await client.get("/v1/tickets", params=params)).json()
            seen += [t["id"] for t in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        bad = await client.get("/v1/tickets", params={"cursor": "not-a-cursor"})
    assert seen == made
    assert bad.status_code == 422 and bad.json()["type"].endswith("cursor-invalid")


async def test_parts_availability_for_the_owning_vendor_only(stack: ServiceStack):
    part = f"HP-{uuid.uuid4().hex[:8]}"
    async with stack.client("inventory", "stores", "inventory:admin") as stores:
        assert (
            await stores.post(
                "/v1/parts",
                json={"part_number": part, "manufacturer": "hp", "description": "Redundant PSU"},
            )
        ).status_code == 201
        locations = {}
        for name in ("beijing", "shanghai"):
            made = await stores.post(
                "/v1/locations",
                json={
                    "name": f"{name} {part}",
                    "kind": "regional_office",
                    "latitude": 31.2,
                    "longitude": 121.5,
                },
            )
            assert made.status_code == 201, made.text
            locations[name] = made.json()["id"]
        for warehouse, quantity in (("beijing", 3), ("shanghai", 2), ("beijing", 1)):
            receipt = await stores.post(
                "/v1/receipts",
                json={
                    "part_number": part,
                    "location_id": locations[warehouse],
                    "quantity": quantity,
                    "delivery_reference": f"DN-{uuid.uuid4().hex[:12]}",
                },
            )
            assert receipt.status_code == 201, receipt.text
        duplicate = await stores.post(
            "/v1/parts", json={"part_number": part, "manufacturer": "hp", "description": "x"}
        )
    assert duplicate.status_code == 409
    async with (
        stack.client("inventory", "hp-portal", "parts:read", vendor="hp") as hp,
        stack.client("inventory", "dell-portal", "parts:read", vendor="dell") as dell,
    ):
        mine = await hp.get(f"/v1/parts/{part}/availability")
        theirs = await dell.get(f"/v1/parts/{part}/availability")
    answer = mine.json()
    assert (answer["part_number"], answer["manufacturer"], answer["available"]) == (part, "hp", 6)
    assert [(loc["location_id"], loc["available"]) for loc in answer["locations"]] == [
        (locations["beijing"], 4),
        (locations["shanghai"], 2),
    ]
    assert theirs.status_code == 404


async def test_an_engineers_long_poll_answers_as_soon_as_work_is_assigned(stack: ServiceStack):
    customer_id = await new_customer(stack)
    engineer_id = await new_engineer(stack, ["security"])
    async with stack.client("dispatch", engineer_id, "assignments:read", timeout=30.0) as phone:
        first = await phone.get("/v1/me/assignments")
        etag = first.headers["etag"]
        unchanged = await phone.get(
            "/v1/me/assignments", params={"wait": 1}, headers={"If-None-Match": etag}
        )
        assert unchanged.status_code == 304

        import asyncio

        poll = asyncio.create_task(
            phone.get("/v1/me/assignments", params={"wait": 20}, headers={"If-None-Match": etag})
        )
        await asyncio.sleep(0.5)
        assert not poll.done()
        async with stack.client("intake") as admin:
            await admin.post("/v1/tickets", json=ticket_body(customer_id, category="security"))
        started = time.monotonic()
        answer = await asyncio.wait_for(poll, 10)
    assert answer.status_code == 200 and answer.headers["etag"] != etag
    assert [a["engineer_id"] for a in answer.json()["items"]] == [engineer_id]
    assert time.monotonic() - started < 5
