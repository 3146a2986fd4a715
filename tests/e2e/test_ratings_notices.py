"""IN-6, IN-9, RP-1/RP-2 over HTTP against the running services: a customer rates once
through its link, an advisory reaches the customers it affects once, reports in JSON and CSV.

Tests in this module move intake's business clock forward; each reads it, never assumes it.
"""

import asyncio
import csv
import io
import uuid
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from tests.support.stack import ServiceStack, eventually

pytestmark = pytest.mark.e2e


async def new_customer(admin: httpx.AsyncClient, *, contacts: bool = False) -> str:
    customer_id = (await admin.post("/v1/customers", json={"name": "Bank of Pudong"})).json()["id"]
    if contacts:
        for n, role in enumerate(("primary", "secondary")):
            contact = await admin.post(
                f"/v1/customers/{customer_id}/contacts",
                json={"name": f"Duty {n}", "phone": f"+86 21 5555 010{n}", "role": role},
            )
            assert contact.status_code == 201, contact.text
    return customer_id


async def resolved_ticket(stack: ServiceStack, admin: httpx.AsyncClient, customer_id: str) -> str:
    ticket = await admin.post(
        "/v1/tickets",
        json={
            "customer_id": customer_id,
            "summary": "Core switch down",
            "channel": "phone",
            "category": "network",
            "impact": "outage",
        },
    )
    assert ticket.status_code == 201, ticket.text
    ticket_id = ticket.json()["id"]
    resolved = await admin.post(
        f"/v1/tickets/{ticket_id}/resolve",
        json={
            "report": {
                "work_done": "Replaced the failed module",
                "root_cause": "Module failure",
                "fault_type": "hardware",
            }
        },
    )
    assert resolved.status_code == 200, resolved.text
    return ticket_id


async def test_a_customer_rates_a_resolved_ticket_once_without_logging_in(stack: ServiceStack):
    async with (
        stack.client("intake") as admin,
        stack.client("intake", "call-centre", "tickets:read") as centre,
        httpx.AsyncClient(base_url=stack.url("intake")) as customer,
    ):
        customer_id = await new_customer(admin)
        open_ticket = (
            await admin.post(
                "/v1/tickets",
                json={
                    "customer_id": customer_id,
                    "summary": "Slow disk",
                    "channel": "web",
                    "category": "storage",
                    "impact": "minor",
                },
            )
        ).json()["id"]
        assert (await centre.get(f"/v1/tickets/{open_ticket}/rating-link")).status_code == 409

        ticket_id = await resolved_ticket(stack, admin, customer_id)
        link = await centre.get(f"/v1/tickets/{ticket_id}/rating-link")
        assert link.status_code == 200, link.text
        assert (await centre.get(f"/v1/tickets/{ticket_id}/rating-link")).json() == link.json()
        url = link.json()["url"]

        for score in (0, 6):
            refused = await customer.post(url, json={"score": score})
            assert refused.status_code == 422, refused.text
        head, payload, signature = url.rsplit("/", 1)[1].split(".")
        tampered_payload = payload[:-1] + ("A" if payload[-1] != "A" else "B")
        tampered = await customer.post(
            f"/v1/ratings/{head}.{tampered_payload}.{signature}", json={"score": 5}
        )
        assert tampered.status_code == 404, tampered.text
        assert tampered.headers["content-type"] == "application/problem+json"

        rated = await customer.post(url, json={"score": 5, "comment": "服务很好"})
        assert rated.status_code == 201, rated.text
        assert rated.json()["score"] == 5 and "ticket_id" not in rated.json()
        again = await customer.post(url, json={"score": 1})
        assert again.status_code == 409, again.text


async def test_a_rating_link_past_its_thirty_days_is_gone(stack: ServiceStack):
    async with (
        stack.client("intake") as admin,
        httpx.AsyncClient(base_url=stack.url("intake")) as customer,
    ):
        ticket_id = await resolved_ticket(stack, admin, await new_customer(admin))
        url = (await admin.get(f"/v1/tickets/{ticket_id}/rating-link")).json()["url"]
        await stack.advance_clock("intake", 31 * 86400)
        expired = await customer.post(url, json={"score": 4})
        assert expired.status_code == 410, expired.text
        assert (await admin.get(f"/v1/tickets/{ticket_id}/rating-link")).status_code == 410


async def affected_customer(admin: httpx.AsyncClient, manufacturer: str, model: str) -> str:
    customer_id = await new_customer(admin, contacts=True)
    site = await admin.post(
        "/v1/sites",
        json={
            "customer_id": customer_id,
            "name": "DC 1",
            "address": "1 Century Avenue",
            "latitude": 31.2,
            "longitude": 121.5,
            "timezone": "Asia/Shanghai",
        },
    )
    contract = await admin.post(
        "/v1/contracts",
        json={
            "customer_id": customer_id,
            "coverage": "5x8",
            "onsite_minutes": 360,
            "calendar": "cn-5x8",
            "warranty_start": "2026-01-01",
        },
    )
    asset = await admin.post(
        "/v1/assets",
        json={
            "customer_id": customer_id,
            "site_id": site.json()["id"],
            "contract_id": contract.json()["id"],
            "manufacturer": manufacturer,
            "model": model,
            "serial": f"SN-{uuid.uuid4().hex[:10]}",
            "accepted_on": "2026-03-15",
        },
    )
    assert asset.status_code == 201, asset.text
    return customer_id


async def due_notices(stack: ServiceStack, notice_ids: list[str]) -> list[str]:
    conn = await asyncpg.connect(stack.database_url)
    try:
        rows = await conn.fetch(
            "SELECT key FROM intake.outbox WHERE type = 'notice.due' AND key = ANY($1::text[])",
            notice_ids,
        )
    finally:
        await conn.close()
    return sorted(r["key"] for r in rows)


async def test_a_minor_advisory_tells_each_affected_customer_once_when_due(stack: ServiceStack):
    manufacturer, model = f"maker-{uuid.uuid4().hex[:6]}", "S5735"
    async with stack.client("intake") as admin:
        customers = {await affected_customer(admin, manufacturer, model) for _ in range(2)}
        await affected_customer(admin, manufacturer, "S6730")  # another model: not affected
        created = await admin.post(
            "/v1/advisories",
            json={
                "manufacturer": manufacturer,
                "models": [model],
                "firmware_from": "V200R019",
                "text": "Ports flap under load; upgrade to V200R021.",
                "severity": "minor",
                "reference": "SA-2026-042",
            },
        )
        assert created.status_code == 201, created.text
        advisory = created.json()
        assert advisory["notice_count"] == 2
        assert (await admin.get(f"/v1/advisories/{advisory['id']}")).json() == advisory
        listed = (await admin.get("/v1/notices", params={"advisory_id": advisory["id"]})).json()
        notices = listed["items"]
        assert {n["customer_id"] for n in notices} == customers
        assert {n["status"] for n in notices} == {"pending"}
        assert all(len(n["serials"]) == 1 and len(n["contacts"]) == 2 for n in notices)
        ids = sorted(n["id"] for n in notices)
        assert await due_notices(stack, ids) == []

        await stack.advance_clock("intake", 7 * 86400 + 1)

        async def all_due():
            return await due_notices(stack, ids) == ids

        await eventually(all_due, timeout=15)
        await asyncio.sleep(2.5)  # two more timer ticks: a notice is never emitted twice
        assert await due_notices(stack, ids) == ids
        due = await admin.get(
            "/v1/notices", params={"advisory_id": advisory["id"], "status": "due"}
        )
        assert sorted(n["id"] for n in due.json()["items"]) == ids


async def test_reports_answer_in_json_and_in_csv(stack: ServiceStack):
    async with (
        stack.client("intake") as admin,
        stack.client("intake", "ops", "ops:read") as ops,
    ):
        customer_id = await new_customer(admin)
        ticket_id = await resolved_ticket(stack, admin, customer_id)
        url = (await admin.get(f"/v1/tickets/{ticket_id}/rating-link")).json()["url"]
        assert (await admin.post(url, json={"score": 4})).status_code == 201
        now = await stack.clock("intake")
        month = now.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")

        report = await ops.get(
            "/v1/reports/monthly", params={"customer_id": customer_id, "month": month}
        )
        assert report.status_code == 200, report.text
        body = report.json()
        assert body["tickets_by_priority"]["P1"] == 1
        assert (body["mean_rating"], body["ratings"], body["repeat_failures"]) == (4.0, 1, 0)

        as_csv = await ops.get(
            "/v1/reports/monthly",
            params={"customer_id": customer_id, "month": month},
            headers={"Accept": "text/csv"},
        )
        assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
        assert (
            as_csv.headers["content-disposition"]
            == f'attachment; filename="monthly-{customer_id}-{month}.csv"'
        )
        rows = list(csv.reader(io.StringIO(as_csv.text)))
        assert rows[0] == ["metric", "key", "value"]
        assert ["tickets_by_priority", "P1", "1"] in rows and ["mean_rating", "", "4.0"] in rows

        engineers = await ops.get(
            "/v1/reports/engineers", params={"month": month}, headers={"Accept": "text/csv"}
        )
        assert engineers.status_code == 200, engineers.text
        assert next(csv.reader(io.StringIO(engineers.text)))[0] == "engineer_id"
        assert (await ops.get("/v1/reports/engineers", params={"month": month})).json()[
            "month"
        ] == month

        for bad in ("2026-13", "2026-1", "november"):
            refused = await ops.get("/v1/reports/monthly", params={"month": bad})
            assert refused.status_code == 422, refused.text
        unknown = await ops.get(
            "/v1/reports/monthly", params={"customer_id": str(uuid.uuid4()), "month": month}
        )
        assert unknown.status_code == 404
