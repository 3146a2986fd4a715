"""A ticket's whole life over HTTP, as the call centre, the dispatcher and the engineer see it:
created, assigned, accepted, held for the customer, resumed, resolved with a report, followed
up and closed; reopened within seven days and not after; illegal moves refused; the timeline."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from shared.events.dispatch import AssignmentCompleted
from shared.outbox_rows import envelope_for
from tests.support.stack import ServiceStack, eventually

pytestmark = pytest.mark.e2e

CENTRE_SCOPES = ("tickets:write", "tickets:read")
REPORT = {
    "work_done": "Reseated the uplink optic and cleaned the port",
    "root_cause": "Dirty SFP connector",
    "fault_type": "hardware",
    "parts_used": [
        {"part_number": "SFP-10G-LR", "serial_out": "OPT-1", "serial_in": "OPT-2", "quantity": 1}
    ],
    "minutes_on_site": 35,
}


async def a_ticket(
    stack: ServiceStack, *, category: str = "network", region: str | None = None
) -> tuple[str, str]:
    """A new customer in a region of its own (so our engineer is the local one) and its ticket."""
    region = region or f"r-{uuid.uuid4().hex[:8]}"
    async with stack.client("intake") as admin:
        customer = await admin.post("/v1/customers", json={"name": "ACME", "region": region})
        assert customer.status_code == 201, customer.text
        ticket = await admin.post(
            "/v1/tickets",
            json={
                "customer_id": customer.json()["id"],
                "summary": "Uplink flapping",
                "description": "Floor 3 loses the network every few minutes",
                "channel": "phone",
                "category": category,
                "impact": "degraded",
            },
        )
    assert ticket.status_code == 201, ticket.text
    return ticket.json()["id"], region


async def status_of(client, ticket_id: str) -> str:
    return (await client.get(f"/v1/tickets/{ticket_id}")).json()["status"]


async def an_installed_asset(stack: ServiceStack, region: str) -> str:
    """A customer with a site, a contract in warranty and a switch: the call centre knows only its serial."""
    serial = f"SN-{uuid.uuid4().hex[:10]}"
    async with stack.client("intake") as admin:
        customer = (
            await admin.post("/v1/customers", json={"name": "ACME", "region": region})
        ).json()
        site = await admin.post(
            "/v1/sites",
            json={
                "customer_id": customer["id"],
                "name": "Data centre 2",
                "address": "88 Century Avenue",
                "latitude": 31.23,
                "longitude": 121.47,
                "timezone": "Asia/Shanghai",
                "region": region,
            },
        )
        contract = await admin.post(
            "/v1/contracts",
            json={
                "customer_id": customer["id"],
                "coverage": "7x24",
                "onsite_minutes": 120,
                "calendar": "24x7",
                "warranty_start": "2026-01-01",
                "warranty_end": "2030-12-31",
            },
        )
        asset = await admin.post(
            "/v1/assets",
            json={
                "customer_id": customer["id"],
                "site_id": site.json()["id"],
                "contract_id": contract.json()["id"],
                "manufacturer": "huawei",
                "model": "S5735",
                "serial": serial,
                "accepted_on": "2026-03-01",
            },
        )
        assert asset.status_code == 201, asset.text
    return serial


async def test_a_ticket_lives_its_whole_life_and_the_timeline_tells_it(stack: ServiceStack):
    region = f"r-{uuid.uuid4().hex[:8]}"
    async with stack.client("dispatch", "team-lead", "dispatch:admin") as lead:
        engineer = await lead.post(
            "/v1/engineers", json={"name": "Wang Wei", "skills": ["network"], "region": region}
        )
    engineer_id = engineer.json()["id"]
    serial = await an_installed_asset(stack, region)
    async with stack.client("intake", "call-centre", *CENTRE_SCOPES) as centre:
        created = await centre.post(
            "/v1/tickets",
            json={
                "serial": serial,
                "summary": "Uplink flapping",
                "description": "Floor 3 loses the network every few minutes",
                "channel": "phone",
                "category": "network",
                "impact": "degraded",
            },
        )
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]
    entitlement = created.json()["entitlement"]
    assert (entitlement["coverage"], entitlement["calendar"]) == ("7x24", "24x7")
    assert entitlement["in_warranty"] is True and entitlement["chargeable"] is False
    assert created.json()["asset"]["serial"] == serial

    async with (
        stack.client("intake", "call-centre", *CENTRE_SCOPES) as centre,
        stack.client("dispatch", engineer_id, "assignments:read", "assignments:write") as phone,
    ):

        async def my_assignment():
            page = (await phone.get("/v1/me/assignments")).json()
            return [a for a in page["items"] if a["ticket_id"] == ticket_id]

        [assignment] = await eventually(my_assignment, timeout=10)
        accepted = await phone.post(
            f"/v1/assignments/{assignment['id']}/accept",
            json={"occurred_at": datetime.now(UTC).isoformat()},
        )
        assert accepted.status_code == 200, accepted.text

        async def in_progress():
            return await status_of(centre, ticket_id) == "in_progress"

        await eventually(in_progress, timeout=10)

        held = await centre.post(
            f"/v1/tickets/{ticket_id}/await-customer", json={"reason": "Room locked until 14:00"}
        )
        assert held.status_code == 200, held.text
        assert (held.json()["status"], held.json()["held_from"]) == (
            "awaiting_customer",
            "in_progress",
        )
        # Only resume (and resolve, cancel, reclassify) from a hold: close is refused, naming them.
        refused = await centre.post(f"/v1/tickets/{ticket_id}/close", json={})
        assert refused.status_code == 409
        assert refused.headers["content-type"] == "application/problem+json"
        problem = refused.json()
        assert problem["status"] == 409 and problem["current_status"] == "awaiting_customer"
        assert problem["allowed"] == ["resume", "resolve", "cancel", "reclassify"]

        resumed = await centre.post(f"/v1/tickets/{ticket_id}/resume", json={})
        assert resumed.json()["status"] == "in_progress"

        not_yet = await centre.get(f"/v1/tickets/{ticket_id}/report")
        assert not_yet.status_code == 404

        twice = {**REPORT, "parts_used": REPORT["parts_used"] * 2}
        bad = await centre.post(f"/v1/tickets/{ticket_id}/resolve", json={"report": twice})
        assert bad.status_code == 422 and "OPT-1" in bad.json()["detail"]

        key = {"Idempotency-Key": str(uuid.uuid4())}
        resolved = await centre.post(
            f"/v1/tickets/{ticket_id}/resolve",
            json={"report": {**REPORT, "engineer_ids": [engineer_id]}},
            headers=key,
        )
        replay = await centre.post(
            f"/v1/tickets/{ticket_id}/resolve",
            json={"report": {**REPORT, "engineer_ids": [engineer_id]}},
            headers=key,
        )
        assert resolved.status_code == 200, resolved.text
        assert resolved.json()["status"] == "resolved" and resolved.json()["resolved_at"]
        assert replay.json() == resolved.json() and replay.headers["idempotent-replayed"] == "true"

        report = (await centre.get(f"/v1/tickets/{ticket_id}/report")).json()
        assert report["source"] == "centre" and report["root_cause"] == "Dirty SFP connector"
        assert report["parts_used"] == REPORT["parts_used"]
        assert report["engineer_ids"] == [engineer_id]

        follow_up = await centre.post(
            f"/v1/tickets/{ticket_id}/follow-ups",
            json={
                "called_by": "Li Na",
                "called_at": resolved.json()["resolved_at"],
                "outcome": "satisfied",
                "notes": "Stable since the fix",
            },
        )
        assert follow_up.status_code == 201, follow_up.text
        listed = (await centre.get(f"/v1/tickets/{ticket_id}/follow-ups")).json()["items"]
        assert [f["id"] for f in listed] == [follow_up.json()["id"]]

        # IN-6: the customer rates through the link, once, without logging in.
        link = (await centre.get(f"/v1/tickets/{ticket_id}/rating-link")).json()
        async with httpx.AsyncClient(base_url=stack.url("intake")) as customer:
            rated = await customer.post(link["url"], json={"score": 5, "comment": "Quick fix"})
            again = await customer.post(link["url"], json={"score": 1})
        assert rated.status_code == 201, rated.text
        assert again.status_code == 409

        closed = await centre.post(
            f"/v1/tickets/{ticket_id}/close", json={"reason": "Customer confirmed"}
        )
        assert closed.json()["status"] == "closed" and closed.json()["closed_at"]
        cancel = await centre.post(f"/v1/tickets/{ticket_id}/cancel", json={"reason": "x"})
        assert cancel.status_code == 409 and cancel.json()["allowed"] == []

        pages, cursor = [], None
        while True:
            params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
            page = (await centre.get(f"/v1/tickets/{ticket_id}/timeline", params=params)).json()
            pages += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                break
    # SLA outcomes arrive from escalation whenever its clocks stop, and the engineer's job is
    # withdrawn by dispatch once it hears of the close: their places vary.
    kinds = [
        e["kind"]
        for e in pages
        if not e["kind"].startswith("sla.") and e["kind"] != "assignment.cancelled"
    ]
    assert kinds == [
        "ticket.created",
        "assignment.created",
        "assignment.accepted",
        "ticket.awaiting_customer",
        "ticket.resumed",
        "ticket.resolved",
        "follow_up.recorded",
        "ticket.closed",
    ]
    by_kind = {e["kind"]: e for e in pages}
    assert by_kind["assignment.created"]["detail"]["engineer_id"] == engineer_id
    assert by_kind["assignment.accepted"]["actor"] == engineer_id
    assert by_kind["ticket.awaiting_customer"]["detail"]["reason"] == "Room locked until 14:00"
    assert by_kind["ticket.awaiting_customer"]["actor"] == "call-centre"
    assert by_kind["ticket.resolved"]["detail"]["report_id"] == report["id"]
    assert by_kind["follow_up.recorded"]["actor"] == "Li Na"

    async with stack.client("intake", "ops", "ops:read") as ops:

        async def response_met():
            timeline = (await ops.get(f"/v1/tickets/{ticket_id}/timeline")).json()["items"]
            return [
                e for e in timeline if e["kind"] == "sla.met" and e["detail"]["clock"] == "response"
            ]

        # The resolution settles the on-site and restore clocks too; the response's is one.
        [met] = await eventually(response_met, timeout=10)
    assert met["actor"] == "escalation"


async def test_an_engineers_completion_on_the_dispatch_topic_resolves_with_its_report(
    stack: ServiceStack,
):
    ticket_id, _ = await a_ticket(stack, category="security")
    completion = AssignmentCompleted.model_validate(
        {**AssignmentCompleted.example, "ticket_id": ticket_id}
    )
    envelope = envelope_for(completion, "/fieldops/dispatch")
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap, acks="all")
    await producer.start()
    try:
        for _ in range(2):  # delivered twice: resolved once, on the timeline once
            await producer.send_and_wait(
                stack.settings.topic("dispatch"),
                value=envelope.value(),
                key=completion.aggregate_id().encode(),
                headers=envelope.headers(),
            )
    finally:
        await producer.stop()

    async with stack.client("intake", "call-centre", *CENTRE_SCOPES) as centre:

        async def report():
            answer = await centre.get(f"/v1/tickets/{ticket_id}/report")
            return answer.status_code == 200 and answer.json()

        found = await eventually(report, timeout=10)
        ticket = (await centre.get(f"/v1/tickets/{ticket_id}")).json()
        timeline = (await centre.get(f"/v1/tickets/{ticket_id}/timeline")).json()["items"]
    assert found["source"] == "engineer" and found["minutes_on_site"] == 70
    assert found["assignment_id"] == AssignmentCompleted.example["assignment_id"]
    assert found["work_done"] == AssignmentCompleted.example["report"]["work_done"]
    assert ticket["status"] == "resolved"
    kinds = [e["kind"] for e in timeline]
    assert kinds.count("assignment.completed") == 1 and kinds.count("ticket.resolved") == 1


# Last in the module: it moves intake's clock on by days, for every test after it.
async def test_a_reopen_within_seven_days_is_allowed_and_after_it_is_refused(stack: ServiceStack):
    ticket_id, _ = await a_ticket(stack, category="security")
    async with stack.client("intake", "call-centre", *CENTRE_SCOPES) as centre:
        fixed = await centre.post(
            f"/v1/tickets/{ticket_id}/resolve",
            json={"report": {**REPORT, "fault_type": "configuration", "parts_used": []}},
        )
        assert fixed.status_code == 200, fixed.text
        await stack.advance_clock("intake", 6 * 86400)
        reopened = await centre.post(
            f"/v1/tickets/{ticket_id}/reopen", json={"reason": "Flapping again"}
        )
        assert reopened.status_code == 200, reopened.text
        assert (reopened.json()["status"], reopened.json()["resolved_at"]) == ("in_progress", None)
        again = await centre.post(
            f"/v1/tickets/{ticket_id}/resolve",
            json={"report": {**REPORT, "root_cause": "Failing optic", "parts_used": []}},
        )
        assert again.status_code == 200
        latest = (await centre.get(f"/v1/tickets/{ticket_id}/report")).json()
        assert latest["root_cause"] == "Failing optic"

        await stack.advance_clock("intake", 8 * 86400)
        late = await centre.post(
            f"/v1/tickets/{ticket_id}/reopen", json={"reason": "Flapping once more"}
        )
        assert late.status_code == 409
        assert late.headers["content-type"] == "application/problem+json"
        assert late.json()["current_status"] == "resolved" and late.json()["reopen_until"]
        assert await status_of(centre, ticket_id) == "resolved"
