"""Loaners over HTTP and the broker (IV-2): a repair that runs past 5 working days on the test
clock gets a loaner of the same model, escalation stops the repair clock on it, and taking it
back is announced. Business time is moved with the ops clock, never slept to."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import asyncpg
import pytest

from shared.db import asyncpg_dsn
from shared.events.intake import TicketCreated
from tests.e2e.test_escalation import by_kind, move_clocks_to, produce, sla_of
from tests.support.stack import ServiceStack, eventually

pytestmark = pytest.mark.e2e

SERVICES = ("intake", "dispatch", "escalation", "inventory")
INVENTORY_ADMIN = ("inventory-admin", "inventory:admin")


async def a_location(stack: ServiceStack) -> uuid.UUID:
    async with stack.client("inventory", "parts-coordinator", "inventory:admin") as admin:
        made = await admin.post(
            "/v1/locations",
            json={
                "name": f"Shanghai HQ {uuid.uuid4().hex[:6]}",
                "kind": "headquarters",
                "latitude": 31.23,
                "longitude": 121.47,
            },
        )
    assert made.status_code == 201, made.text
    return uuid.UUID(made.json()["id"])


async def outbox_types(stack: ServiceStack, key: str) -> list[str]:
    conn = await asyncpg.connect(asyncpg_dsn(stack.database_url))
    try:
        rows = await conn.fetch("SELECT type FROM inventory.outbox WHERE key = $1", key)
    finally:
        await conn.close()
    return [r["type"] for r in rows]


async def test_a_repair_past_five_working_days_gets_a_loaner_that_stops_the_repair_clock(
    stack: ServiceStack,
):
    latest = max([await stack.clock(s) for s in SERVICES])
    await move_clocks_to(stack, latest, *SERVICES)
    model = f"S5735-{uuid.uuid4().hex[:6]}"
    location_id = await a_location(stack)
    async with stack.client("inventory", *INVENTORY_ADMIN) as admin:
        made = await admin.post(
            "/v1/loaners",
            json={
                "serial": f"LN-{uuid.uuid4().hex[:8]}",
                "model": model,
                "manufacturer": "huawei",
                "category": "switch",
                "location_id": str(location_id),
            },
        )
    assert made.status_code == 201, made.text
    serial = made.json()["serial"]
    assert made.json()["status"] == "available"

    ticket = TicketCreated(
        ticket_id=uuid.uuid4(),
        number=f"T-{uuid.uuid4().hex[:8]}",
        customer_id=uuid.uuid4(),
        asset_serial=f"SN-{uuid.uuid4().hex[:8]}",
        asset_manufacturer="huawei",
        asset_model=model,
        priority="P3",
        category="network",
        channel="phone",
        summary="Switch keeps rebooting",
        reported_at=latest,
        coverage="5x8",
        calendar="cn-5x8",
        created_at=latest,
    )
    await produce(stack, ticket)
    ticket_id = str(ticket.ticket_id)
    repair = by_kind(await sla_of(stack, ticket_id))["repair"]
    assert not repair["breached"]

    # Past the repair clock's due time on every service's clock: escalation announces the breach.
    due = datetime.fromisoformat(repair["due_at"])
    await move_clocks_to(stack, due + timedelta(hours=1), *SERVICES)
    async with stack.client("inventory", "ops", "ops:read") as ops:

        async def lent():
            page = (await ops.get("/v1/loaners", params={"ticket_id": ticket_id})).json()
            return page["items"]

        [loaner] = await eventually(lent, timeout=30)
        assert (loaner["serial"], loaner["status"]) == (serial, "checked_out")
        assert loaner["loan"]["ticket_id"] == ticket_id and not loaner["loan"]["overdue"]
        due_list = (await ops.get("/v1/loaners/due", params={"ticket_id": ticket_id})).json()
        assert [d["status"] for d in due_list] == ["out"]

    sla = await sla_of(stack, ticket_id, until=lambda s: by_kind(s)["repair"]["stopped_at"])
    assert by_kind(sla)["repair"]["breached"]

    async with stack.client("inventory", *INVENTORY_ADMIN) as admin:
        twice = await admin.post(f"/v1/loaners/{serial}/check-out", json={"ticket_id": ticket_id})
        assert twice.status_code == 409, twice.text
        assert twice.headers["content-type"].startswith("application/problem+json")
        back = await admin.post(
            f"/v1/loaners/{serial}/check-in",
            json={"notes": "returned in its box"},
            headers={"Idempotency-Key": f"in-{serial}"},
        )
        assert back.status_code == 200, back.text
        assert back.json()["status"] == "available" and back.json()["loan"] is None
        again = await admin.post(f"/v1/loaners/{serial}/check-in", json={})
        assert again.status_code == 409, again.text

    types = await eventually(lambda: outbox_types(stack, ticket_id), timeout=10)
    assert types.count("loaner.checked_out") == 1 and types.count("loaner.returned") == 1


async def test_bad_loaner_and_eol_requests_are_clear_problems(stack: ServiceStack):
    async with stack.client("inventory", *INVENTORY_ADMIN) as admin:
        unknown = await admin.post(
            "/v1/loaners",
            json={
                "serial": f"LN-{uuid.uuid4().hex[:8]}",
                "model": "S5735",
                "manufacturer": "huawei",
                "category": "switch",
                "location_id": str(uuid.uuid4()),
            },
        )
        assert unknown.status_code == 404, unknown.text
        assert unknown.json()["title"] == "No such location"
        today = (await stack.clock("inventory")).date()
        past = await admin.post(
            "/v1/eol",
            json={
                "manufacturer": "huawei",
                "model": "S5735",
                "end_of_production": str(today - timedelta(days=1)),
            },
        )
        assert past.status_code == 422 and "in the past" in past.json()["detail"]
        late = await admin.post(
            "/v1/eol",
            json={
                "manufacturer": "huawei",
                "model": f"S57-{uuid.uuid4().hex[:6]}",
                "end_of_production": str(today + timedelta(days=40)),
            },
        )
        assert late.status_code == 201 and late.json()["late_notice"], late.text
    async with stack.client("inventory", "cisco-portal", "parts:read", vendor="cisco") as cisco:
        theirs = await cisco.post(
            "/v1/eol",
            json={
                "manufacturer": "huawei",
                "model": "S5735",
                "end_of_production": str(today + timedelta(days=400)),
            },
        )
        assert theirs.status_code == 403, theirs.text
