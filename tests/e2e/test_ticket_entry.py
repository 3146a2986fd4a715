"""Tickets from every channel over HTTP, as a call centre's software and a monitoring system post them."""

import asyncio
import uuid
from datetime import datetime, timedelta

import asyncpg
import pytest

from shared.db import asyncpg_dsn
from tests.e2e.test_intake_master_data import contract_body, new_customer, problem, site_body
from tests.support.stack import ServiceStack, eventually

pytestmark = pytest.mark.e2e

CALL_CENTRE = ("call-centre", "tickets:write", "tickets:read")


async def installed(admin, serial: str, manufacturer: str = "huawei", **asset) -> dict:
    customer_id = await new_customer(admin)
    site = (await admin.post("/v1/sites", json=site_body(customer_id))).json()
    contract = (
        await admin.post(
            "/v1/contracts",
            json=contract_body(customer_id, warranty_start="2026-01-01", warranty_end="2030-12-31"),
        )
    ).json()
    made = await admin.post(
        "/v1/assets",
        json={
            "customer_id": customer_id,
            "site_id": site["id"],
            "contract_id": contract["id"],
            "manufacturer": manufacturer,
            "model": "S5735",
            "serial": serial,
            "accepted_on": "2026-03-01",
        }
        | asset,
    )
    assert made.status_code == 201, made.text
    return {"customer_id": customer_id, "site": site, "contract": contract, "asset": made.json()}


def by_serial(serial: str, **overrides) -> dict:
    return {
        "serial": serial,
        "summary": "Core switch down",
        "channel": "phone",
        "category": "network",
        "impact": "outage",
    } | overrides


def an_alarm(serial: str, code: str = "LINK-DOWN") -> dict:
    return by_serial(
        serial, channel="monitoring", impact="degraded", alarm={"source": "zabbix", "code": code}
    )


async def test_a_ticket_by_serial_names_customer_site_asset_and_entitlement(stack: ServiceStack):
    serial = f"SN-{uuid.uuid4().hex[:10]}"
    async with stack.client("intake") as admin:
        placed = await installed(admin, serial)
    async with stack.client("intake", *CALL_CENTRE) as centre:
        created = await centre.post("/v1/tickets", json=by_serial(serial))
        assert created.status_code == 201, created.text
        ticket = created.json()
        assert created.headers["location"] == f"/v1/tickets/{ticket['id']}"
        assert ticket["customer_id"] == placed["customer_id"]
        assert ticket["site_id"] == placed["site"]["id"]
        assert ticket["asset"] == {
            "id": placed["asset"]["id"],
            "serial": serial,
            "manufacturer": "huawei",
            "model": "S5735",
        }
        assert ticket["entitlement"] == {
            "contract_id": placed["contract"]["id"],
            "coverage": "5x8",
            "calendar": "cn-5x8",
            "in_warranty": True,
            "chargeable": False,
        }
        assert ticket["priority"] == "P1" and ticket["status"] == "new"
        assert ticket["occurrences"] == 1 and ticket["alarm"] is None
        assert (await centre.get(f"/v1/tickets/{ticket['id']}")).json() == ticket


async def test_wrong_references_are_refused_naming_the_field(stack: ServiceStack):
    twin = f"SN-{uuid.uuid4().hex[:10]}"
    async with stack.client("intake") as admin:
        await installed(admin, twin, manufacturer="huawei")
        await installed(admin, twin, manufacturer="h3c")
        other_customer = await new_customer(admin)
    async with stack.client("intake", *CALL_CENTRE) as centre:
        ambiguous = problem(
            await centre.post("/v1/tickets", json=by_serial(twin)), 422, "rule-violated"
        )
        assert ambiguous["field"] == "manufacturer" and "h3c" in ambiguous["detail"]
        chosen = await centre.post("/v1/tickets", json=by_serial(twin, manufacturer="h3c"))
        assert chosen.status_code == 201 and chosen.json()["asset"]["manufacturer"] == "h3c"
        unknown_serial = problem(
            await centre.post("/v1/tickets", json=by_serial("NO-SUCH-SERIAL")), 422, "rule-violated"
        )
        assert unknown_serial["field"] == "serial"
        body = by_serial(twin, manufacturer="h3c") | {"customer_id": other_customer}
        disagrees = problem(await centre.post("/v1/tickets", json=body), 422, "rule-violated")
        assert disagrees["field"] == "serial"
        no_serial = {k: v for k, v in by_serial(twin).items() if k != "serial"}
        unknown_customer = problem(
            await centre.post("/v1/tickets", json=no_serial | {"customer_id": str(uuid.uuid4())}),
            422,
            "rule-violated",
        )
        assert unknown_customer["field"] == "customer_id"
        neither = problem(await centre.post("/v1/tickets", json=no_serial), 422, "rule-violated")
        assert neither["field"] == "customer_id"


async def test_a_time_in_the_future_is_refused_and_a_late_ticket_counts_from_its_report(
    stack: ServiceStack,
):
    serial = f"SN-{uuid.uuid4().hex[:10]}"
    async with stack.client("intake") as admin:
        await installed(admin, serial)
    now = await stack.clock("intake")
    async with stack.client("intake", *CALL_CENTRE) as centre:
        ahead = (now + timedelta(minutes=10)).isoformat()
        future = problem(
            await centre.post("/v1/tickets", json=by_serial(serial, reported_at=ahead)),
            422,
            "rule-violated",
        )
        assert future["field"] == "reported_at"
        naive = problem(
            await centre.post(
                "/v1/tickets", json=by_serial(serial, reported_at="2026-12-01T09:00:00")
            ),
            422,
            "validation",
        )
        assert naive["errors"][0]["field"] == "reported_at"
        # Recorded offline two hours ago, posted now: a P1 whose response clock is long overdue.
        earlier = now - timedelta(hours=2)
        late = await centre.post(
            "/v1/tickets", json=by_serial(serial, reported_at=earlier.isoformat())
        )
        assert late.status_code == 201, late.text
        ticket = late.json()
        assert datetime.fromisoformat(ticket["reported_at"]) == earlier
        assert datetime.fromisoformat(ticket["created_at"]) >= now
    async with stack.client("escalation") as escalation:

        async def clocks():
            answer = await escalation.get(f"/v1/tickets/{ticket['id']}/sla")
            return answer.json()["clocks"] if answer.status_code == 200 else None

        opened = await eventually(clocks, timeout=15.0)
    assert {datetime.fromisoformat(c["started_at"]) for c in opened} == {earlier}
    response = next(c for c in opened if c["kind"] == "response")
    assert response["breached"] is True


async def test_an_alarm_storm_opens_one_ticket_and_counts_every_alarm(stack: ServiceStack):
    serial = f"SN-{uuid.uuid4().hex[:10]}"
    async with stack.client("intake") as admin:
        await installed(admin, serial)
    alarms = iter(range(1000))
    answers: list[tuple[int, dict]] = []

    async def monitoring_client() -> None:
        async with stack.client("intake", *CALL_CENTRE, timeout=30.0) as monitor:
            for _ in alarms:
                sent = await monitor.post(
                    "/v1/tickets",
                    json=an_alarm(serial),
                    headers={"Idempotency-Key": str(uuid.uuid4())},
                )
                answers.append((sent.status_code, sent.json()))

    await asyncio.gather(*(monitoring_client() for _ in range(32)))
    statuses = [status for status, _ in answers]
    assert statuses.count(201) == 1 and statuses.count(200) == 999, set(statuses)
    assert len({body["id"] for _, body in answers}) == 1
    # Each alarm counted once, none lost or counted twice, whatever batch it landed in.
    assert sorted(body["occurrences"] for _, body in answers) == list(range(1, 1001))
    ticket_id = answers[0][1]["id"]
    async with stack.client("intake", *CALL_CENTRE) as centre:
        ticket = (await centre.get(f"/v1/tickets/{ticket_id}")).json()
    assert ticket["occurrences"] == 1000
    assert ticket["alarm"] == {"source": "zabbix", "code": "LINK-DOWN"}
    conn = await asyncpg.connect(asyncpg_dsn(stack.database_url))
    try:
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM intake.tickets WHERE asset_serial = $1", serial
            )
            == 1
        )
        # A fold is no new ticket: dispatch and escalation heard of it once.
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM intake.outbox WHERE type = 'ticket.created' AND key = $1",
                ticket_id,
            )
            == 1
        )
    finally:
        await conn.close()


async def test_after_resolution_the_next_alarm_opens_a_new_ticket(stack: ServiceStack):
    serial = f"SN-{uuid.uuid4().hex[:10]}"
    async with stack.client("intake") as admin:
        await installed(admin, serial)
    async with stack.client("intake", *CALL_CENTRE) as monitor:
        first = await monitor.post("/v1/tickets", json=an_alarm(serial))
        again = await monitor.post("/v1/tickets", json=an_alarm(serial))
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json()["id"] == first.json()["id"] and again.json()["occurrences"] == 2
    async with stack.client("intake") as centre:
        resolved = await centre.post(
            f"/v1/tickets/{first.json()['id']}/resolve",
            json={
                "report": {
                    "work_done": "Replaced the failed module",
                    "root_cause": "Module failure",
                    "fault_type": "hardware",
                }
            },
        )
        assert resolved.status_code == 200, resolved.text
    async with stack.client("intake", *CALL_CENTRE) as monitor:
        after = await monitor.post("/v1/tickets", json=an_alarm(serial))
        assert after.status_code == 201, after.text
        assert after.json()["id"] != first.json()["id"] and after.json()["occurrences"] == 1
