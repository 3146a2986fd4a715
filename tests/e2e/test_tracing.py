"""A trace id follows a ticket from the HTTP request through the outbox and Kafka to every consumer."""

import json
import secrets

import pytest

from tests.support.stack import ServiceStack, eventually

pytestmark = pytest.mark.e2e


def log_entries(stack: ServiceStack, service: str) -> list[dict]:
    entries = []
    for line in (stack.log_dir / f"{service}.log").read_text().splitlines():
        try:
            entries.append(json.loads(line[line.index("{") :]))
        except ValueError:
            continue
    return entries


async def test_the_callers_trace_id_reaches_the_consumers_logs_with_the_event_id(
    stack: ServiceStack,
):
    trace_id = secrets.token_hex(16)
    async with stack.client("intake") as admin:
        customer = (await admin.post("/v1/customers", json={"name": "Traced Ltd"})).json()["id"]
        created = await admin.post(
            "/v1/tickets",
            json={
                "customer_id": customer,
                "summary": "Printer on fire",
                "channel": "web",
                "category": "other",
                "impact": "minor",
            },
            headers={"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"},
        )
    assert created.headers["x-trace-id"] == trace_id

    async def consumers_logged_it():
        return {
            s
            for s in ("dispatch", "escalation", "inventory", "intake")
            for e in log_entries(stack, s)
            if e.get("trace_id") == trace_id
            and e.get("event_id")
            and e.get("message") == "event handled"
        }

    async with stack.client("intake") as admin:

        async def unassigned_or_assigned():
            status = (await admin.get(f"/v1/tickets/{created.json()['id']}")).json()["status"]
            return status in ("assigned", "unassigned")

        await eventually(unassigned_or_assigned)

    # ticket.created reaches three consumers; dispatch's answer comes back to intake, same trace.
    async def all_four():
        seen = await consumers_logged_it()
        return seen if len(seen) == 4 else None

    assert await eventually(all_four, timeout=5.0) == {
        "dispatch",
        "escalation",
        "inventory",
        "intake",
    }
