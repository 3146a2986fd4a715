"""Dispatch's decisions over HTTP, as a team lead sees them: the on-call crew for a P1 at night,
the resident engineer for a P3 in business hours, a time-out that moves to the next candidate,
every decision explained, the board, reassignment, cancellation and escalation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from shared.businesstime import calendar, is_working
from shared.db import asyncpg_dsn
from shared.events.escalation import EscalationRaised
from shared.outbox_rows import envelope_for
from tests.e2e.test_intake_master_data import contract_body, problem, site_body
from tests.support.stack import ServiceStack, eventually

pytestmark = pytest.mark.e2e

SHANGHAI = ZoneInfo("Asia/Shanghai")
LEAD = ("team-lead", "dispatch:admin")


async def move_clocks_to(stack: ServiceStack, target: datetime) -> None:
    """Intake's and dispatch's business clocks both at `target` (they only move forward)."""
    for service in ("intake", "dispatch"):
        now = await stack.clock(service)
        if target > now:
            await stack.advance_clock(service, (target - now).total_seconds())


async def next_local(stack: ServiceStack, hour: int, *, business_day: bool) -> datetime:
    """The next `hour`:00 in Shanghai after both clocks, on a working day of cn-5x8 if asked."""
    now = max([await stack.clock("intake"), await stack.clock("dispatch")])
    day = now.astimezone(SHANGHAI).date() + timedelta(days=1)
    while True:
        at = datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).astimezone(UTC)
        if not business_day or is_working(calendar("cn-5x8"), at):
            return at
        day += timedelta(days=1)


async def an_engineer(lead, **fields) -> dict:
    body = {"name": "Engineer", "skills": ["network"], "shift": "cn-5x8"} | fields
    response = await lead.post("/v1/engineers", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def a_customer(stack: ServiceStack, region: str, **contract) -> dict:
    """A customer with one site in `region` and, when given terms, one contract; once dispatch
    has read them (they travel on other partitions than the ticket that follows)."""
    async with stack.client("intake") as admin:
        customer = (
            await admin.post("/v1/customers", json={"name": "ACME", "region": region})
        ).json()
        site = (await admin.post("/v1/sites", json=site_body(customer["id"], region=region))).json()
        made = None
        if contract:
            made = await admin.post(
                "/v1/contracts",
                json=contract_body(
                    customer["id"], warranty_start="2026-01-01", warranty_end="2030-12-31"
                )
                | contract,
            )
            assert made.status_code == 201, made.text
    conn = await asyncpg.connect(asyncpg_dsn(stack.database_url))
    try:

        async def read() -> bool:
            sites = await conn.fetchval(
                "SELECT count(*) FROM dispatch.sites WHERE id = $1", uuid.UUID(site["id"])
            )
            contracts = await conn.fetchval(
                "SELECT count(*) FROM dispatch.contracts WHERE customer_id = $1",
                uuid.UUID(customer["id"]),
            )
            return sites == 1 and contracts == (1 if contract else 0)

        await eventually(read, timeout=15)
    finally:
        await conn.close()
    return {"customer": customer, "site": site, "contract": made.json() if made else None}


async def a_ticket(stack: ServiceStack, placed: dict, impact: str) -> str:
    async with stack.client("intake", "call-centre", "tickets:write", "tickets:read") as centre:
        created = await centre.post(
            "/v1/tickets",
            json={
                "customer_id": placed["customer"]["id"],
                "site_id": placed["site"]["id"],
                "summary": "Core switch down",
                "channel": "phone",
                "category": "network",
                "impact": impact,
            },
        )
    assert created.status_code == 201, created.text
    return created.json()["id"]


async def assignments_of(stack: ServiceStack, ticket_id: str, *, count: int) -> list[dict]:
    async with stack.client("dispatch", *LEAD) as lead:

        async def seen():
            found = (await lead.get(f"/v1/tickets/{ticket_id}/assignments")).json()
            return found if len(found) >= count else None

        return await eventually(seen, timeout=15)


async def decisions_of(stack: ServiceStack, ticket_id: str) -> list[dict]:
    async with stack.client("dispatch", *LEAD) as lead:
        response = await lead.get(f"/v1/tickets/{ticket_id}/dispatch")
    assert response.status_code == 200, response.text
    return response.json()


def verdict(decision: dict, engineer_id: str) -> dict:
    return next(c for c in decision["explanation"]["candidates"] if c["engineer_id"] == engineer_id)


def failed_filter(candidate: dict) -> str | None:
    return None if candidate["failed"] is None else candidate["failed"]["filter"]


async def test_a_p1_at_night_on_a_7x24_contract_goes_to_the_on_call_senior_expert_and_a_maintainer(
    stack: ServiceStack,
):
    region = f"r-{uuid.uuid4().hex[:8]}"
    night = await next_local(stack, 23, business_day=False)
    on_call = [
        {
            "from": (night - timedelta(hours=1)).isoformat(),
            "to": (night + timedelta(hours=8)).isoformat(),
        }
    ]
    async with stack.client("dispatch", *LEAD) as lead:
        expert = await an_engineer(
            lead,
            name="Senior expert",
            team="expert_centre",
            seniority="senior",
            regions=[region],
            on_call=on_call,
        )
        maintainer = await an_engineer(
            lead, name="Maintainer on call", regions=[region], on_call=on_call
        )
        asleep = await an_engineer(lead, name="Maintainer off duty", regions=[region])
        on_leave = await an_engineer(
            lead,
            name="Expert on leave",
            team="expert_centre",
            seniority="senior",
            regions=[region],
            on_call=on_call,
            status="on_leave",
        )
    placed = await a_customer(
        stack, region, coverage="7x24", calendar="cn-5x8", resident_engineer_id=None
    )
    await move_clocks_to(stack, night)

    ticket_id = await a_ticket(stack, placed, "outage")

    crew = await assignments_of(stack, ticket_id, count=2)
    assert {(a["engineer_id"], a["role"]) for a in crew} == {
        (expert["id"], "lead"),
        (maintainer["id"], "support"),
    }
    [decision] = await decisions_of(stack, ticket_id)
    assert decision["trigger"] == "ticket.created" and decision["want"] == "crew"
    assert (
        "lead Senior expert" in decision["summary"]
        and "support Maintainer on call" in decision["summary"]
    )
    assert verdict(decision, expert["id"])["eligible"]
    assert verdict(decision, expert["id"])["passed"]["time"] == "on call"
    assert failed_filter(verdict(decision, asleep["id"])) == "time"
    assert failed_filter(verdict(decision, on_leave["id"])) == "active"


async def test_a_p3_in_business_hours_on_a_5x8_contract_goes_to_the_resident_engineer(
    stack: ServiceStack,
):
    region = f"r-{uuid.uuid4().hex[:8]}"
    async with stack.client("dispatch", *LEAD) as lead:
        # Beijing: far from the Shanghai site, and still first (DS-5).
        resident = await an_engineer(
            lead, name="Resident", regions=[region], home={"latitude": 39.9, "longitude": 116.4}
        )
        nearby = await an_engineer(
            lead, name="Next door", regions=[region], home={"latitude": 31.23, "longitude": 121.47}
        )
    placed = await a_customer(
        stack, region, coverage="5x8", calendar="cn-5x8", resident_engineer_id=resident["id"]
    )
    await move_clocks_to(stack, await next_local(stack, 10, business_day=True))

    ticket_id = await a_ticket(stack, placed, "function")

    [assignment] = await assignments_of(stack, ticket_id, count=1)
    assert (assignment["engineer_id"], assignment["role"]) == (resident["id"], "lead")
    [decision] = await decisions_of(stack, ticket_id)
    first, second = verdict(decision, resident["id"]), verdict(decision, nearby["id"])
    assert (first["rank"], first["score"]["resident"]) == (1, True)
    assert second["rank"] == 2 and second["score"]["within_onsite_terms"] is True
    assert first["score"]["within_onsite_terms"] is False  # 1,070 km at 40 km/h


async def test_an_unanswered_assignment_times_out_to_the_next_candidate_then_nobody_is_left(
    stack: ServiceStack,
):
    region = f"r-{uuid.uuid4().hex[:8]}"
    async with stack.client("dispatch", *LEAD) as lead:
        engineers = [
            await an_engineer(lead, name=f"Around the clock {n}", regions=[region], shift="24x7")
            for n in (1, 2)
        ]
    placed = await a_customer(stack, region)
    ticket_id = await a_ticket(stack, placed, "function")  # P3: 30 minutes to accept
    [first] = await assignments_of(stack, ticket_id, count=1)

    await stack.advance_clock("dispatch", 31 * 60)

    found = await assignments_of(stack, ticket_id, count=2)
    assert [a["status"] for a in found] == ["timed_out", "assigned"]
    assert {a["engineer_id"] for a in found} == {e["id"] for e in engineers}
    latest = (await decisions_of(stack, ticket_id))[0]
    assert latest["trigger"] == "assignment.timed_out"
    assert failed_filter(verdict(latest, first["engineer_id"])) == "excluded"

    await stack.advance_clock("dispatch", 31 * 60)

    async with stack.client("dispatch", *LEAD) as lead:

        async def left_unassigned():
            board = (await lead.get("/v1/board")).json()
            return next((t for t in board["unassigned"] if t["id"] == ticket_id), None)

        unassigned = await eventually(left_unassigned, timeout=15)
    assert unassigned["unassigned_reason"] == "candidates_exhausted"
    assert (await decisions_of(stack, ticket_id))[0]["reason"] == "candidates_exhausted"


async def test_the_board_shows_open_work_and_a_lead_can_reassign_and_the_centre_can_cancel(
    stack: ServiceStack,
):
    region = f"r-{uuid.uuid4().hex[:8]}"
    async with stack.client("dispatch", *LEAD) as lead:
        first = await an_engineer(lead, name="First", regions=[region], shift="24x7")
    placed = await a_customer(stack, region)
    ticket_id = await a_ticket(stack, placed, "minor")
    await assignments_of(stack, ticket_id, count=1)
    async with stack.client("dispatch", *LEAD) as lead:
        second = await an_engineer(lead, name="Second", regions=[region], shift="24x7", capacity=1)
        board = (await lead.get("/v1/board")).json()
        assert any(a["ticket_id"] == ticket_id for a in board["assignments"]["assigned"])
        mine = next(e for e in board["engineers"] if e["id"] == first["id"])
        assert (mine["load"], mine["on_shift"]) == (1, True)

        moved = await lead.post(
            f"/v1/tickets/{ticket_id}/reassign",
            json={"engineer_id": second["id"], "reason": "First is stuck in traffic"},
            headers={"Idempotency-Key": "reassign-1"},
        )
        assert moved.status_code == 201, moved.text
        again = await lead.post(
            f"/v1/tickets/{ticket_id}/reassign",
            json={"engineer_id": second["id"], "reason": "First is stuck in traffic"},
            headers={"Idempotency-Key": "reassign-1"},
        )
        assert again.json() == moved.json() and again.headers["Idempotent-Replayed"] == "true"
        problem(
            await lead.post(
                f"/v1/tickets/{ticket_id}/reassign",
                json={"engineer_id": str(uuid.uuid4()), "reason": "Nobody"},
            ),
            422,
            "invalid-reference",
        )
        found = (await lead.get(f"/v1/tickets/{ticket_id}/assignments")).json()
        assert [(a["engineer_id"], a["status"]) for a in found] == [
            (first["id"], "cancelled"),
            (second["id"], "assigned"),
        ]
        assert (await lead.get(f"/v1/engineers/{first['id']}")).json()["load"] == 0
        assert (await decisions_of(stack, ticket_id))[0]["explanation"][
            "overridden_by"
        ] == "team-lead"

    async with stack.client("intake", "call-centre", "tickets:write", "tickets:read") as centre:
        cancelled = await centre.post(
            f"/v1/tickets/{ticket_id}/cancel", json={"reason": "Customer fixed it"}
        )
        assert cancelled.status_code == 200, cancelled.text

    async with stack.client("dispatch", *LEAD) as lead:

        async def withdrawn():
            found = (await lead.get(f"/v1/tickets/{ticket_id}/assignments")).json()
            return all(a["status"] == "cancelled" for a in found)

        await eventually(withdrawn, timeout=15)
        assert (await lead.get(f"/v1/engineers/{second['id']}")).json()["load"] == 0
        problem(
            await lead.post(
                f"/v1/tickets/{ticket_id}/reassign",
                json={"engineer_id": first["id"], "reason": "Too late"},
            ),
            409,
            "conflict",
        )


BEIJING = {"latitude": 39.9, "longitude": 116.4}
AT_THE_SITE = {"latitude": 31.23, "longitude": 121.47}


async def local_maintainer_and_hq_expert(stack: ServiceStack, region: str) -> tuple[dict, dict]:
    async with stack.client("dispatch", *LEAD) as lead:
        maintainer = await an_engineer(
            lead, name="Local maintainer", regions=[region], shift="24x7", home=AT_THE_SITE
        )
        expert = await an_engineer(
            lead,
            name="HQ expert",
            team="expert_centre",
            seniority="senior",
            regions=[region],
            shift="24x7",
            home=BEIJING,
        )
    return maintainer, expert


async def test_a_ticket_reclassified_to_p1_gets_the_rest_of_its_crew(stack: ServiceStack):
    region = f"r-{uuid.uuid4().hex[:8]}"
    maintainer, expert = await local_maintainer_and_hq_expert(stack, region)
    ticket_id = await a_ticket(stack, await a_customer(stack, region), "minor")  # P4: one
    [first] = await assignments_of(stack, ticket_id, count=1)
    assert (first["engineer_id"], first["role"]) == (maintainer["id"], "lead")

    async with stack.client("intake", "call-centre", "tickets:write", "tickets:read") as centre:
        raised = await centre.post(
            f"/v1/tickets/{ticket_id}/reclassify",
            json={"priority": "P1", "reason": "The whole trading floor is down"},
        )
        assert raised.status_code == 200, raised.text

    crew = await assignments_of(stack, ticket_id, count=2)
    assert {(a["engineer_id"], a["role"]) for a in crew} == {
        (maintainer["id"], "lead"),
        (expert["id"], "support"),
    }
    latest = (await decisions_of(stack, ticket_id))[0]
    assert (latest["trigger"], latest["want"]) == ("ticket.reclassified", "expert_support")


async def test_level_two_of_the_ladder_brings_an_expert_centre_engineer(stack: ServiceStack):
    region = f"r-{uuid.uuid4().hex[:8]}"
    maintainer, expert = await local_maintainer_and_hq_expert(stack, region)
    ticket_id = await a_ticket(stack, await a_customer(stack, region), "minor")
    [first] = await assignments_of(stack, ticket_id, count=1)
    assert first["engineer_id"] == maintainer["id"]

    async def raise_to(level: int) -> None:
        event = EscalationRaised(
            ticket_id=uuid.UUID(ticket_id), level=level, reason="step_limit", at=datetime.now(UTC)
        )
        envelope = envelope_for(event, "/fieldops/escalation")
        await producer.send_and_wait(
            stack.settings.topic("escalation"),
            value=envelope.value(),
            key=ticket_id.encode(),
            headers=envelope.headers(),
        )

    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap, acks="all")
    await producer.start()
    try:
        await raise_to(1)  # level 1: the team lead's attention, no one more on site
        await raise_to(2)
        await raise_to(2)  # a redelivered or repeated level adds nobody
    finally:
        await producer.stop()

    both = await assignments_of(stack, ticket_id, count=2)
    assert {(a["engineer_id"], a["role"]) for a in both} == {
        (maintainer["id"], "lead"),
        (expert["id"], "support"),
    }
    decisions = await decisions_of(stack, ticket_id)
    assert [(d["trigger"], d["want"]) for d in decisions] == [
        ("escalation.raised", "expert_support"),
        ("ticket.created", "crew"),
    ]


async def test_bad_engineers_are_refused_and_change_nothing(stack: ServiceStack):
    async with stack.client("dispatch", *LEAD) as lead:
        before = len((await lead.get("/v1/engineers", params={"limit": 200})).json()["items"])
        for body, field in [
            ({"skills": ["plumbing"]}, "skills"),
            ({"shift": {"timezone": "Mars/Olympus", "ranges": {"mon": ["08:00-12:00"]}}}, "shift"),
            (
                {
                    "shift": {
                        "timezone": "Asia/Shanghai",
                        "ranges": {"mon": ["08:00-12:00", "11:00-13:00"]},
                    }
                },
                "shift",
            ),
            ({"shift": "9x5"}, "shift"),
            ({"home": {"latitude": 91, "longitude": 0}}, "home"),
            (
                {"on_call": [{"from": "2026-12-01T10:00:00Z", "to": "2026-12-01T09:00:00Z"}]},
                "on_call",
            ),
            ({"capacity": 0}, "capacity"),
        ]:
            refused = await lead.post(
                "/v1/engineers", json={"name": "Eve", "skills": ["network"]} | body
            )
            assert refused.status_code == 422, (body, refused.text)
            assert field in refused.text, (body, refused.text)
        after = len((await lead.get("/v1/engineers", params={"limit": 200})).json()["items"])
        assert after == before
        engineer = await an_engineer(lead, name="Patched")
        patched = await lead.patch(
            f"/v1/engineers/{engineer['id']}", json={"status": "on_leave", "capacity": 5}
        )
        assert patched.status_code == 200, patched.text
        assert (patched.json()["status"], patched.json()["capacity"], patched.json()["active"]) == (
            "on_leave",
            5,
            False,
        )
        problem(
            await lead.patch(f"/v1/engineers/{engineer['id']}", json={"name": None}),
            422,
            "validation",
        )


async def test_two_dispatch_replicas_never_assign_a_ticket_twice_nor_time_it_out_twice(
    stack: ServiceStack,
):
    region = f"r-{uuid.uuid4().hex[:8]}"
    async with stack.client("dispatch", *LEAD) as lead:
        for n in range(4):
            await an_engineer(
                lead, name=f"Replica test {n}", regions=[region], shift="24x7", capacity=50
            )
    placed = await a_customer(stack, region)
    await stack.start_replica("dispatch", "dispatch-2")
    conn = await asyncpg.connect(asyncpg_dsn(stack.database_url))
    try:
        tickets = [await a_ticket(stack, placed, "function") for _ in range(40)]  # P3
        ids = [uuid.UUID(t) for t in tickets]

        async def per_ticket(status: str) -> list[int]:
            rows = await conn.fetch(
                "SELECT t.id, count(a.id) FILTER (WHERE a.status = $2) AS n "
                "FROM unnest($1::uuid[]) AS t(id) "
                "LEFT JOIN dispatch.assignments a ON a.ticket_id = t.id GROUP BY t.id",
                ids,
                status,
            )
            return [r["n"] for r in rows]

        async def all_assigned_once() -> bool:
            return await per_ticket("assigned") == [1] * len(ids)

        await eventually(all_assigned_once, timeout=30)
        # Both replicas' timers see the deadline pass at once, and race for the same rows.
        for replica in ("dispatch", "dispatch-2"):
            await stack.advance_clock(replica, 31 * 60)

        async def all_timed_out_once() -> bool:
            return await per_ticket("timed_out") == [1] * len(ids)

        await eventually(all_timed_out_once, timeout=30)
        assert await per_ticket("assigned") == [1] * len(ids)
        published = await conn.fetch(
            "SELECT type, count(*) AS n FROM dispatch.outbox "
            "WHERE key = ANY($1::text[]) GROUP BY type",
            tickets,
        )
        counts = {r["type"]: r["n"] for r in published}
        assert counts["assignment.timed_out"] == len(ids)
        assert counts["assignment.created"] == 2 * len(ids)
        decisions = await conn.fetchval(
            "SELECT count(*) FROM dispatch.decisions WHERE ticket_id = ANY($1::uuid[])", ids
        )
        assert decisions == 2 * len(ids)
    finally:
        await conn.close()
        await stack.supervisor.stop(["dispatch-2"])
