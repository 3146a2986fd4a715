"""Escalation over HTTP and the broker, as a service manager sees it: clocks on the contract's
calendar, paused while the customer or a part is awaited, recomputed on reclassification, the
ladder climbing until someone acts, a real ticket through intake and dispatch, and two replicas
firing each timer once. Business time is moved with the ops clock, never slept to."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from shared.businesstime import add, calendar, is_working
from shared.db import asyncpg_dsn
from shared.events.base import Event
from shared.events.intake import TicketCreated
from shared.events.inventory import PartAvailable, PartBackordered
from shared.outbox_rows import envelope_for
from tests.e2e.test_intake_master_data import contract_body, problem, site_body
from tests.support.stack import ServiceStack, eventually

pytestmark = pytest.mark.e2e

SHANGHAI = ZoneInfo("Asia/Shanghai")
CN = calendar("cn-5x8")
CENTRE = ("call-centre", "tickets:write", "tickets:read")
OPS = ("ops", "sla:read")
LEAD_EMAIL = "lead@example.com"
TECH_EMAIL = "tech@example.com"
LADDER = [
    {"level": 1, "name": "Zhang Wei", "email": LEAD_EMAIL, "phone": "+86 21 5555 0001"},
    {"level": 2, "name": "Wang Fang", "email": TECH_EMAIL, "phone": "+86 21 5555 0002"},
]
M = timedelta(minutes=1)
DAY = timedelta(days=1)


def close(a: Any, b: datetime, within: timedelta = timedelta(seconds=90)) -> bool:
    """Within the wall-clock seconds a test takes: the ops clock runs on between requests."""
    return abs(datetime.fromisoformat(a) - b) <= within


async def move_clocks_to(stack: ServiceStack, target: datetime, *services: str) -> None:
    """The services' business clocks at `target` at least (they only move forward)."""
    for service in services or ("intake", "dispatch", "escalation"):
        now = await stack.clock(service)
        if target > now:
            await stack.advance_clock(service, (target - now).total_seconds())


async def now_everywhere(stack: ServiceStack) -> datetime:
    """One business time for intake, dispatch and escalation: the latest of theirs."""
    latest = max([await stack.clock(s) for s in ("intake", "dispatch", "escalation")])
    await move_clocks_to(stack, latest)
    return latest


async def produce(stack: ServiceStack, *events: Event) -> None:
    """Facts from a service this test does not drive, put on its topic as it would."""
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap, acks="all")
    await producer.start()
    try:
        for event in events:
            envelope = envelope_for(event, f"/fieldops/{event.owner}")
            await producer.send_and_wait(
                stack.settings.topic(event.owner),
                value=envelope.value(),
                key=event.aggregate_id().encode(),
                headers=envelope.headers(),
            )
    finally:
        await producer.stop()


async def a_customer(stack: ServiceStack, **contract: Any) -> dict[str, Any]:
    """A customer with a site in a region of its own and, when terms are given, a contract that
    escalation and dispatch have read."""
    region = f"r-{uuid.uuid4().hex[:8]}"
    async with stack.client("intake") as admin:
        customer = (
            await admin.post("/v1/customers", json={"name": "ACME", "region": region})
        ).json()
        site = (await admin.post("/v1/sites", json=site_body(customer["id"], region=region))).json()
        made = None
        if contract:
            body = contract_body(
                customer["id"], warranty_start="2026-01-01", warranty_end="2030-12-31"
            )
            made = await admin.post("/v1/contracts", json=body | {"ladder": LADDER} | contract)
            assert made.status_code == 201, made.text
    if made is not None:
        conn = await asyncpg.connect(asyncpg_dsn(stack.database_url))
        try:

            async def read() -> bool:
                found = await conn.fetchval(
                    "SELECT (SELECT count(*) FROM escalation.contracts WHERE id = $1) + "
                    "(SELECT count(*) FROM dispatch.contracts WHERE id = $1)",
                    uuid.UUID(made.json()["id"]),
                )
                return found == 2

            await eventually(read, timeout=15)
        finally:
            await conn.close()
    return {
        "customer": customer,
        "site": site,
        "region": region,
        "contract": None if made is None else made.json(),
    }


async def an_engineer(stack: ServiceStack, region: str) -> dict[str, Any]:
    async with stack.client("dispatch", "team-lead", "dispatch:admin") as lead:
        made = await lead.post(
            "/v1/engineers",
            json={
                "name": "Engineer",
                "skills": ["network"],
                "regions": [region],
                "shift": "24x7",
                "capacity": 50,
            },
        )
    assert made.status_code == 201, made.text
    return made.json()


async def a_ticket(stack: ServiceStack, placed: dict[str, Any], impact: str, **body: Any) -> dict:
    async with stack.client("intake", *CENTRE) as centre:
        created = await centre.post(
            "/v1/tickets",
            json={
                "customer_id": placed["customer"]["id"],
                "site_id": placed["site"]["id"],
                "summary": "Core switch down",
                "channel": "phone",
                "category": "network",
                "impact": impact,
            }
            | body,
        )
    assert created.status_code == 201, created.text
    return created.json()


async def sla_of(stack: ServiceStack, ticket_id: str, until=None) -> dict[str, Any]:
    """The ticket's clocks and ladder, once escalation has them (and `until` holds)."""
    async with stack.client("escalation", *OPS) as ops:

        async def read():
            answer = await ops.get(f"/v1/tickets/{ticket_id}/sla")
            if answer.status_code != 200:
                return None
            sla = answer.json()
            return sla if until is None or until(sla) else None

        return await eventually(read, timeout=20)


def by_kind(sla: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["kind"]: c for c in sla["clocks"]}


def local(at: str) -> datetime:
    return datetime.fromisoformat(at).astimezone(SHANGHAI)


async def test_a_p3_reported_friday_at_half_past_four_on_cn_5x8_is_due_monday(
    stack: ServiceStack,
):
    now = await now_everywhere(stack)
    day = now.astimezone(SHANGHAI).date() + timedelta(days=1)
    while True:  # a Friday worked, with the Monday after it worked too
        friday = datetime(day.year, day.month, day.day, 16, 30, tzinfo=SHANGHAI)
        monday = friday + timedelta(days=3)
        if day.weekday() == 4 and is_working(CN, friday) and is_working(CN, monday):
            break
        day += timedelta(days=1)
    await move_clocks_to(stack, friday + M)
    placed = await a_customer(stack)  # no contract: the standard 5x8 cover on cn-5x8
    ticket = await a_ticket(stack, placed, "function", reported_at=friday.isoformat())
    assert ticket["priority"] == "P3"
    clocks = by_kind(await sla_of(stack, ticket["id"]))
    assert set(clocks) == {"response", "on_site", "restore"}
    restore = clocks["restore"]
    assert restore["calendar"] == "cn-5x8" and restore["target_minutes"] == 240
    # 16:30-17:30 on Friday, then 08:30-11:30 on Monday.
    assert local(restore["due_at"]) == monday.replace(hour=11, minute=30)
    assert local(clocks["response"]["due_at"]) == friday.replace(hour=17, minute=0)


async def test_a_ticket_across_national_day_counts_its_make_up_saturday(stack: ServiceStack):
    # Reported on the eve of National Day 2026 (1-7 October off, Saturday the 10th worked):
    # older than intake takes a backlog, so it comes straight from intake's topic.
    eve = datetime(2026, 9, 30, 16, 30, tzinfo=SHANGHAI)
    event = TicketCreated(
        ticket_id=uuid.uuid4(),
        number="T-NATIONAL-DAY",
        customer_id=uuid.uuid4(),
        asset_serial="SN-NATIONAL",
        priority="P4",
        category="network",
        channel="phone",
        summary="Port flapping",
        reported_at=eve,
        coverage="5x8",
        calendar="cn-5x8",
        created_at=eve,
    )
    await produce(stack, event)
    clocks = by_kind(await sla_of(stack, str(event.ticket_id)))
    # P4 restore, 24 business hours: 1 on the 30th, 9 on the 8th, 9 on the 9th, 5 on Saturday.
    assert local(clocks["restore"]["due_at"]) == datetime(2026, 10, 10, 13, 30, tzinfo=SHANGHAI)
    # Repair, five working days (IV-2): the make-up Saturday counts, the holidays do not.
    assert local(clocks["repair"]["due_at"]) == datetime(2026, 10, 13, 16, 30, tzinfo=SHANGHAI)
    assert clocks["restore"]["breached"] and clocks["repair"]["breached"]


async def test_a_p1_on_seven_by_twenty_four_cover_counts_every_minute(stack: ServiceStack):
    placed = await a_customer(stack, coverage="7x24", emergency_onsite_7x24=True, targets={})
    ticket = await a_ticket(stack, placed, "outage")
    assert ticket["priority"] == "P1"
    clocks = by_kind(await sla_of(stack, ticket["id"]))
    reported = datetime.fromisoformat(ticket["reported_at"])
    assert {c["calendar"] for c in clocks.values()} == {"24x7"}
    assert datetime.fromisoformat(clocks["restore"]["due_at"]) == reported + 60 * M
    assert datetime.fromisoformat(clocks["response"]["due_at"]) == reported + 30 * M
    assert datetime.fromisoformat(clocks["on_site"]["due_at"]) == reported + 360 * M


async def test_paused_awaiting_the_customer_and_a_backordered_part_the_time_is_not_counted(
    stack: ServiceStack,
):
    placed = await a_customer(stack, coverage="7x24", targets={})
    await now_everywhere(stack)
    ticket = await a_ticket(stack, placed, "degraded")  # P2: restore in 120 minutes
    tid = ticket["id"]
    reported = datetime.fromisoformat(ticket["reported_at"])
    await sla_of(stack, tid)
    async with stack.client("intake", *CENTRE) as centre:
        await move_clocks_to(stack, reported + 10 * M, "intake", "escalation")
        waiting = await centre.post(
            f"/v1/tickets/{tid}/await-customer", json={"reason": "Machine room closed"}
        )
        assert waiting.status_code == 200, waiting.text
        paused = await sla_of(
            stack, tid, until=lambda s: by_kind(s)["restore"]["status"] == "paused"
        )
        assert by_kind(paused)["restore"]["holds"] == ["awaiting_customer"]
        assert by_kind(paused)["response"]["status"] == "running"
        await move_clocks_to(stack, reported + 40 * M, "intake", "escalation")
        resumed = await centre.post(f"/v1/tickets/{tid}/resume", json={})
        assert resumed.status_code == 200, resumed.text
    await sla_of(stack, tid, until=lambda s: by_kind(s)["restore"]["status"] == "running")
    await move_clocks_to(stack, reported + 50 * M, "escalation")
    short = await stack.clock("escalation")
    await produce(
        stack,
        PartBackordered(
            ticket_id=uuid.UUID(tid), part_number="PSU-250W", quantity_short=1, at=short
        ),
    )
    held = await sla_of(stack, tid, until=lambda s: by_kind(s)["restore"]["status"] == "paused")
    assert by_kind(held)["restore"]["holds"] == ["part_backordered:PSU-250W"]
    await move_clocks_to(stack, short + 20 * M, "escalation")
    arrived = await stack.clock("escalation")
    await produce(
        stack,
        PartAvailable(
            ticket_id=uuid.UUID(tid), part_number="PSU-250W", quantity_arrived=1, at=arrived
        ),
    )
    running = await sla_of(stack, tid, until=lambda s: by_kind(s)["restore"]["status"] == "running")
    restore = by_kind(running)["restore"]
    # About 30 minutes for the customer and 20 for the part, not counted.
    assert 49 <= restore["paused_minutes"] <= 52, restore
    not_counted = timedelta(minutes=restore["paused_minutes"])
    assert close(restore["due_at"], reported + 120 * M + not_counted, within=timedelta(seconds=1))


async def test_reclassification_from_p3_to_p1_is_recomputed_by_replay(stack: ServiceStack):
    placed = await a_customer(stack, coverage="5x8", emergency_onsite_7x24=True, targets={})
    ticket = await a_ticket(stack, placed, "function")
    tid = ticket["id"]
    reported = datetime.fromisoformat(ticket["reported_at"])
    before = by_kind(await sla_of(stack, tid))["restore"]
    assert (before["target_minutes"], before["calendar"]) == (240, "cn-5x8")
    async with stack.client("intake", *CENTRE) as centre:
        moved = await centre.post(
            f"/v1/tickets/{tid}/reclassify",
            json={"priority": "P1", "reason": "The whole trading floor is down"},
        )
    assert moved.status_code == 200, moved.text
    after = await sla_of(stack, tid, until=lambda s: s["priority"] == "P1")
    restore = by_kind(after)["restore"]
    # P1 under emergency cover: 60 minutes around the clock, from when it was reported.
    assert (restore["target_minutes"], restore["calendar"]) == (60, "24x7")
    assert datetime.fromisoformat(restore["due_at"]) == reported + 60 * M


async def test_the_ladder_climbs_from_one_to_four_when_nobody_acts_held_once_by_an_ack(
    stack: ServiceStack,
):
    quiet = {"P4": {"response_minutes": 525_600, "restore_minutes": 525_600}}
    placed = await a_customer(
        stack, coverage="7x24", onsite_minutes=10_080, targets=quiet, emergency_onsite_7x24=False
    )
    await an_engineer(stack, placed["region"])
    await now_everywhere(stack)
    ticket = await a_ticket(stack, placed, "minor")  # P4: one working day a step, here 24 h
    tid = ticket["id"]
    sla = await sla_of(stack, tid, until=lambda s: s["ladder"]["step"] == "assigned_to_accepted")
    step_due = datetime.fromisoformat(sla["ladder"]["step_due_at"])
    assert sla["ladder"]["level"] == 0

    def level(n: int):
        return lambda s: s["ladder"]["level"] >= n

    async with (
        stack.client("escalation", LEAD_EMAIL, "sla:read") as lead,
        stack.client("escalation", TECH_EMAIL, "sla:read") as tech,
        stack.client("escalation", "stranger@example.com", "sla:read") as stranger,
    ):
        await move_clocks_to(stack, step_due + M, "escalation")
        one = await sla_of(stack, tid, until=level(1))
        assert one["ladder"]["level"] == 1 and one["ladder"]["contact"]["email"] == LEAD_EMAIL
        problem(await stranger.post(f"/v1/tickets/{tid}/escalation/ack", json={}), 403, "forbidden")
        problem(
            await lead.post(f"/v1/tickets/{tid}/escalation/ack", json={"level": 2}),
            403,
            "forbidden",
        )
        problem(
            await tech.post(f"/v1/tickets/{tid}/escalation/ack", json={"level": 2}),
            409,
            "conflict",
        )
        # One day later, level 2; its contact acknowledges: no climb for one more limit.
        await move_clocks_to(stack, step_due + DAY + M, "escalation")
        await sla_of(stack, tid, until=level(2))
        key = {"Idempotency-Key": str(uuid.uuid4())}
        acked = await tech.post(f"/v1/tickets/{tid}/escalation/ack", json={}, headers=key)
        assert acked.status_code == 200, acked.text
        again = await tech.post(f"/v1/tickets/{tid}/escalation/ack", json={}, headers=key)
        assert again.json() == acked.json() and again.headers["idempotent-replayed"] == "true"
        problem(await tech.post(f"/v1/tickets/{tid}/escalation/ack", json={}), 409, "conflict")
        held_until = datetime.fromisoformat(acked.json()["held_until"])
        assert held_until - (step_due + DAY) >= DAY
        # Level 2's own limit passes inside the hold: it stays at 2.
        await move_clocks_to(stack, step_due + 2 * DAY + 10 * M, "escalation")
        assert (await sla_of(stack, tid))["ladder"]["level"] == 2
        await move_clocks_to(stack, held_until + M, "escalation")
        await sla_of(stack, tid, until=level(3))
        await move_clocks_to(stack, held_until + DAY + M, "escalation")
        top = await sla_of(stack, tid, until=level(4))
    ladder = top["ladder"]
    raises = [e for e in ladder["history"] if e["kind"] == "raised"]
    assert [(e["level"], e["reason"]) for e in raises] == [
        (1, "step_limit"),
        (2, "step_limit"),
        (3, "step_limit"),
        (4, "step_limit"),
    ]
    assert datetime.fromisoformat(raises[2]["at"]) == held_until
    assert [e["by"] for e in ladder["history"] if e["kind"] == "acknowledged"] == [TECH_EMAIL]
    assert ladder["next_raise_at"] is None and ladder["role"] == "project director"


async def test_a_real_ticket_through_intake_and_dispatch_has_its_clocks_and_ladder(
    stack: ServiceStack,
):
    placed = await a_customer(stack, coverage="7x24", emergency_onsite_7x24=True, targets={})
    engineer = await an_engineer(stack, placed["region"])
    start = await now_everywhere(stack)
    ticket = await a_ticket(stack, placed, "outage")
    tid = ticket["id"]
    async with stack.client(
        "dispatch", engineer["id"], "assignments:read", "assignments:write"
    ) as phone:

        async def mine():
            page = (await phone.get("/v1/me/assignments")).json()
            return [a for a in page["items"] if a["ticket_id"] == tid]

        [job] = await eventually(mine, timeout=20)
        path = f"/v1/assignments/{job['id']}"
        # The phone's steps a minute apart, none ahead of the services' clocks.
        await move_clocks_to(stack, start + 5 * M)
        now = start
        steps = [
            ("accept", {}),
            ("depart", {}),
            ("arrive", {"position": {"latitude": 31.23, "longitude": 121.47}}),
        ]
        for n, (step, extra) in enumerate(steps):
            done = await phone.post(
                f"{path}/{step}",
                json={"occurred_at": (now + (n + 1) * M).isoformat()} | extra,
            )
            assert done.status_code == 200, done.text
        sla = await sla_of(stack, tid, until=lambda s: by_kind(s)["on_site"]["status"] == "stopped")
        assert by_kind(sla)["response"]["met_at"] is not None
        assert sla["ladder"]["step"] == "on_site_to_resolved" and sla["ladder"]["level"] == 0
        report = {
            "work_done": "Replaced the line card",
            "root_cause": "ASIC failure",
            "fault_type": "hardware",
            "parts_used": [],
            "minutes_on_site": 10,
        }
        completed = await phone.post(
            f"{path}/complete",
            json={"occurred_at": (now + 4 * M).isoformat(), "report": report},
        )
        assert completed.status_code == 200, completed.text
    sla = await sla_of(stack, tid, until=lambda s: by_kind(s)["restore"]["status"] == "stopped")
    clocks = by_kind(sla)
    assert {k: c["met_at"] is not None for k, c in clocks.items()} == {
        "response": True,
        "on_site": True,
        "restore": True,
    }
    assert not any(c["breached"] for c in clocks.values())
    assert sla["status"] == "resolved" and sla["ladder"]["at_rest"]
    assert [e["kind"] for e in sla["ladder"]["history"]][:2] == ["step_started", "step_done"]
    # Intake records each met promise on the ticket's timeline (sla.met with business minutes).
    async with stack.client("intake", *OPS, "tickets:read") as reader:

        async def met():
            timeline = (await reader.get(f"/v1/tickets/{tid}/timeline")).json()["items"]
            found = {e["detail"]["clock"] for e in timeline if e["kind"] == "sla.met"}
            return found if found >= {"response", "on_site", "restore"} else None

        await eventually(met, timeout=20)
    month = start.astimezone(SHANGHAI).strftime("%Y-%m")
    async with stack.client("escalation", *OPS) as ops:
        by_engineer = (
            await ops.get("/v1/reports/sla", params={"month": month, "by": "engineer"})
        ).json()
        lines = {(x["key"], x["kind"]): x for x in by_engineer["lines"]}
        assert lines[(engineer["id"], "restore")]["met"] >= 1
        csv = await ops.get(
            "/v1/reports/sla",
            params={"month": month, "by": "priority"},
            headers={"Accept": "text/csv"},
        )
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        header, *rows = csv.text.strip().split("\r\n")
        assert header == "key,kind,met,breached,met_share,mean_used_minutes"
        assert any(row.startswith("P1,restore,") for row in rows)
        problem(await ops.get("/v1/reports/sla", params={"month": "2026-13"}), 422, "validation")


async def test_breaches_are_listed_since_a_time_and_paged(stack: ServiceStack):
    placed = await a_customer(stack, coverage="7x24", targets={})
    since = await now_everywhere(stack)
    tickets = [await a_ticket(stack, placed, "outage") for _ in range(3)]
    for ticket in tickets:
        await sla_of(stack, ticket["id"])
    await move_clocks_to(stack, since + 31 * M, "escalation")
    mine = {t["id"] for t in tickets}
    async with stack.client("escalation", *OPS) as ops:

        async def listed():
            found, cursor = [], None
            while True:
                params = {"since": since.isoformat(), "limit": 2} | (
                    {"cursor": cursor} if cursor else {}
                )
                page = (await ops.get("/v1/breaches", params=params)).json()
                found += page["items"]
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            ours = [b for b in found if b["ticket_id"] in mine and b["kind"] == "response"]
            return ours if len(ours) == 3 else None

        breaches = await eventually(listed, timeout=20)
    assert [b["breached_at"] for b in breaches] == sorted(b["breached_at"] for b in breaches)


async def test_two_replicas_fire_each_clock_and_ladder_timer_exactly_once(stack: ServiceStack):
    placed = await a_customer(stack, coverage="7x24", emergency_onsite_7x24=True, targets={})
    await an_engineer(stack, placed["region"])
    await now_everywhere(stack)
    await stack.start_replica("escalation", "escalation-2")
    tickets = [await a_ticket(stack, placed, "outage") for _ in range(20)]  # P1 each
    async with stack.client("escalation", *OPS) as ops:

        async def all_assigned() -> list[dict] | None:
            slas = [(await ops.get(f"/v1/tickets/{t['id']}/sla")).json() for t in tickets]
            waiting = [s for s in slas if (s.get("ladder") or {}).get("step") is None]
            print(f"{len(waiting)} not assigned yet: {waiting[:1]}")
            return None if waiting else slas

        slas = await eventually(all_assigned, timeout=30, interval=0.5)

    def climbs(sla: dict) -> int:
        """Levels by 31 minutes, in business-time order: the step's limit at 15, then at 30 the
        step's second limit and the response's breach, a few milliseconds apart. The one that
        comes first raises; a breach first restarts the limit, so the limit's second raise never
        comes (2 levels); a limit first leaves the breach a level of its own (3)."""
        assigned = datetime.fromisoformat(sla["ladder"]["step_started_at"])
        reported = datetime.fromisoformat(by_kind(sla)["response"]["started_at"])
        return 3 if assigned <= reported else 2

    levels = sum(climbs(sla) for sla in slas)
    # Both replicas' timers see the deadlines pass at once, and race for the same rows: the
    # accept step's 15 minutes (twice over) and the response's 30.
    for replica in ("escalation", "escalation-2"):
        await stack.advance_clock(replica, 31 * 60)
    conn = await asyncpg.connect(asyncpg_dsn(stack.database_url))
    keys = [t["id"] for t in tickets]
    try:

        async def announced() -> Counter:
            rows = await conn.fetch(
                "SELECT type, key, payload FROM escalation.outbox "
                "WHERE key = ANY($1::text[]) AND type IN ('sla.warning', 'sla.breached', "
                "'escalation.raised')",
                keys,
            )
            seen: Counter = Counter()
            for row in rows:
                data = json.loads(row["payload"])
                what = data.get("level") if row["type"] == "escalation.raised" else data["clock_id"]
                seen[(row["type"], row["key"], what, data.get("fraction"))] += 1
            return seen

        async def settled() -> Counter | None:
            seen = await announced()
            kinds = Counter(k[0] for k in seen)
            return (
                seen
                if kinds["sla.breached"] == 20 and kinds["escalation.raised"] == levels
                else None
            )

        await eventually(settled, timeout=30)
        await asyncio.sleep(2)  # two more ticks of each timer: nothing may come twice
        seen = await announced()
    finally:
        await conn.close()
    assert set(seen.values()) == {1}, [k for k, n in seen.items() if n > 1]
    # Per ticket: the response's breach, 50 % of the restore's 60 minutes, and its levels in
    # business-time order (`climbs`), whichever replica's timer, clock or ladder, saw each first.
    assert Counter(k[0] for k in seen) == Counter(
        {"sla.breached": 20, "sla.warning": 20, "escalation.raised": levels}
    )


async def test_bad_acknowledgements_are_refused_and_change_nothing(stack: ServiceStack):
    placed = await a_customer(stack, coverage="7x24", targets={})
    ticket = await a_ticket(stack, placed, "function")
    tid = ticket["id"]
    # Nobody in its region: dispatch reports it unassigned, and the team lead has it at once.
    before = await sla_of(stack, tid, until=lambda s: s["ladder"]["level"] == 1)
    async with stack.client("escalation", "admin-user", "escalation:admin") as admin:
        problem(
            await admin.post(f"/v1/tickets/{uuid.uuid4()}/escalation/ack", json={}),
            404,
            "not-found",
        )
        problem(
            await admin.post(f"/v1/tickets/{tid}/escalation/ack", json={"level": 7}),
            422,
            "validation",
        )
        problem(
            await admin.post(f"/v1/tickets/{tid}/escalation/ack", json={"level": True}),
            422,
            "validation",
        )
        not_reached = problem(
            await admin.post(f"/v1/tickets/{tid}/escalation/ack", json={"level": 3}),
            409,
            "conflict",
        )
        assert not_reached["current_level"] == before["ladder"]["level"]
    async with stack.client("escalation", "ops", "ops:read") as reader:
        problem(await reader.post(f"/v1/tickets/{tid}/escalation/ack", json={}), 403, "scope")
    after = await sla_of(stack, tid)
    assert after["ladder"]["history"] == before["ladder"]["history"]


async def test_a_p4_without_a_contract_gets_a_day_of_business_minutes_on_cn_5x8(
    stack: ServiceStack,
):
    placed = await a_customer(stack)
    ticket = await a_ticket(stack, placed, "minor")
    reported = datetime.fromisoformat(ticket["reported_at"])
    restore = by_kind(await sla_of(stack, ticket["id"]))["restore"]
    assert datetime.fromisoformat(restore["due_at"]) == add(CN, reported, 1440).astimezone(UTC)
