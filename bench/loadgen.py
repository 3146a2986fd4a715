"""The load generator: a process of its own, so that its CPU is counted apart from the services'.

`python -m bench.loadgen SPEC.json` runs one scenario and prints one JSON object on stdout.
On a 2-core machine the generator competes with what it measures, so every scenario reports
the generator's own CPU (getrusage) over the measured window, the machine's busy share, and
the CPU of the processes it was told to watch.

HTTP goes through aiohttp's client: measured here against `bench.bare_app` it costs about
0.13 ms of CPU per request, against 1.0 ms for a pool of httpx clients and 3.4 ms for one
shared httpx client at 32 concurrent requests (README, benchmark section).

Every loop ends by time and by a request cap, whichever comes first.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import resource
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psutil

from bench.stats import percentile

# A safety cap far above what two cores can do in the configured time.
MAX_REQUESTS_PER_SECOND = 50_000
CLIENT_TIMEOUT_S = 10.0

Request = tuple[str, str, dict[str, str], bytes | None]  # method, url, headers, body


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _tree_cpu(pid: int, with_children: bool) -> dict[int, float]:
    """CPU seconds of a process, and of its descendants when asked (PostgreSQL's backends), by pid."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)] if with_children else [root]
    except psutil.Error:
        return {}
    seconds: dict[int, float] = {}
    for proc in procs:
        try:
            times = proc.cpu_times()
            seconds[proc.pid] = times.user + times.system
        except psutil.Error:
            pass
    return seconds


@dataclass
class Snapshot:
    at: float
    own_cpu: float
    machine: Any
    watched: dict[str, dict[int, float]]


def _snapshot(watch: dict[str, tuple[int, bool]]) -> Snapshot:
    return Snapshot(
        time.monotonic(),
        _own_cpu(),
        psutil.cpu_times(),
        {name: _tree_cpu(pid, children) for name, (pid, children) in watch.items()},
    )


@dataclass
class Window:
    """The measured interval after the warm-up, and what the CPU did during it."""

    warmup: float
    seconds: float
    watch: dict[str, tuple[int, bool]]  # name -> (pid, count its descendants too)
    start: float = 0.0
    end: float = 0.0
    first: Snapshot | None = None
    last: Snapshot | None = None

    def __post_init__(self) -> None:
        self.start = time.monotonic() + self.warmup
        self.end = self.start + self.seconds

    def contains(self, t: float) -> bool:
        return self.start <= t < self.end

    async def observe(self) -> None:
        await asyncio.sleep(max(0.0, self.start - time.monotonic()))
        self.first = _snapshot(self.watch)
        await asyncio.sleep(max(0.0, self.end - time.monotonic()))
        self.last = _snapshot(self.watch)

    def cpu(self) -> dict[str, Any]:
        if self.first is None or self.last is None:
            return {}
        wall = self.last.at - self.first.at
        a, b = self.first.machine, self.last.machine
        total = sum(b) - sum(a)
        idle = (b.idle + getattr(b, "iowait", 0)) - (a.idle + getattr(a, "iowait", 0))
        watched = {}
        for name, before in self.first.watched.items():
            after = self.last.watched.get(name, {})
            # Only processes alive at both ends: a backend that came or went is not counted.
            used = sum(after[pid] - before[pid] for pid in before if pid in after)
            watched[name] = round(100 * used / wall, 1)
        busy_pct = 100 * (total - idle) / total if total > 0 else None
        own_pct = 100 * (self.last.own_cpu - self.first.own_cpu) / wall
        # What no watched process accounts for: other tenants of the machine, the kernel,
        # processes that started or ended inside the window (new PostgreSQL backends).
        unaccounted = (
            None
            if busy_pct is None
            else busy_pct * psutil.cpu_count() - own_pct - sum(watched.values())
        )
        return {
            "wall_s": round(wall, 3),
            "generator_cpu_s": round(self.last.own_cpu - self.first.own_cpu, 3),
            # percent of one core; the machine has psutil.cpu_count() of them
            "generator_cpu_pct": round(own_pct, 1),
            "machine_busy_pct": None if busy_pct is None else round(busy_pct, 1),
            "cores": psutil.cpu_count(),
            "watched_cpu_pct": watched,
            "unaccounted_cpu_pct": None if unaccounted is None else round(unaccounted, 1),
        }


def _watch(spec: dict[str, Any]) -> dict[str, tuple[int, bool]]:
    return {
        name: (int(pid), bool(children)) for name, (pid, children) in spec.get("watch", {}).items()
    }


def _latency_summary(latencies: list[float]) -> dict[str, float | None]:
    def ms(q: float) -> float | None:
        value = percentile(latencies, q)
        return None if value is None else round(1000 * value, 2)

    return {"p50_ms": ms(0.50), "p90_ms": ms(0.90), "p99_ms": ms(0.99), "max_ms": ms(1.0)}


# --- request makers -----------------------------------------------------------------------------


def _ticket_body(rng: random.Random, customer_ids: list[str], categories: list[str]) -> bytes:
    return json.dumps(
        {
            "customer_id": rng.choice(customer_ids),
            "summary": "Core switch stopped forwarding",
            "description": "Building A: all floors offline since 09:12; the switch console shows no errors.",
            "channel": rng.choice(["phone", "web", "email", "monitoring"]),
            "category": rng.choice(categories),
            "impact": rng.choice(["outage", "degraded", "function", "minor"]),
        }
    ).encode()


def ticket_post_maker(spec: dict[str, Any]) -> Callable[[random.Random], Request]:
    url = spec["url"]
    base_headers = {"Content-Type": "application/json"}
    if spec.get("token"):
        base_headers["Authorization"] = f"Bearer {spec['token']}"

    def make(rng: random.Random) -> Request:
        # A fresh key per request: each is a new ticket, as from a call-centre system.
        headers = {**base_headers, "Idempotency-Key": str(uuid.uuid4())}
        return "POST", url, headers, _ticket_body(rng, spec["customer_ids"], spec["categories"])

    return make


def availability_maker(spec: dict[str, Any]) -> Callable[[random.Random], Request]:
    targets = [
        (f"{spec['base']}/v1/parts/{part}/availability", {"Authorization": f"Bearer {token}"})
        for part, token in spec["targets"]
    ]

    def make(rng: random.Random) -> Request:
        url, headers = rng.choice(targets)
        return "GET", url, headers, None

    return make


def my_assignments_maker(spec: dict[str, Any]) -> Callable[[random.Random], Request]:
    url = f"{spec['base']}/v1/me/assignments?limit=50"
    headers = [{"Authorization": f"Bearer {token}"} for token in spec["targets"]]

    def make(rng: random.Random) -> Request:
        return "GET", url, rng.choice(headers), None

    return make


def knowledge_search_maker(spec: dict[str, Any]) -> Callable[[random.Random], Request]:
    from urllib.parse import quote

    urls = [f"{spec['base']}/v1/knowledge?q={quote(q)}&limit=20" for q in spec["queries"]]
    headers = {"Authorization": f"Bearer {spec['token']}"}

    def make(rng: random.Random) -> Request:
        return "GET", rng.choice(urls), headers, None

    return make


def ticket_by_serial_maker(spec: dict[str, Any]) -> Callable[[random.Random], Request]:
    """IN-10: a call centre that reads the serial off the label: intake finds customer, site
    and contract, and answers with the entitlement."""
    url = spec["url"]
    base_headers = {"Content-Type": "application/json", "Authorization": f"Bearer {spec['token']}"}

    def make(rng: random.Random) -> Request:
        headers = {**base_headers, "Idempotency-Key": str(uuid.uuid4())}
        body = json.dumps(
            {
                "serial": rng.choice(spec["serials"]),
                "summary": "Core switch stopped forwarding",
                "description": "Building A: all floors offline since 09:12.",
                "channel": rng.choice(["phone", "web", "email"]),
                "category": rng.choice(spec["categories"]),
                "impact": rng.choice(["outage", "degraded", "function", "minor"]),
            }
        ).encode()
        return "POST", url, headers, body

    return make


MAKERS = {
    "ticket_by_serial": ticket_by_serial_maker,
    "ticket_post": ticket_post_maker,
    "availability": availability_maker,
    "knowledge_search": knowledge_search_maker,
    "my_assignments": my_assignments_maker,
}


# --- scenarios ------------------------------------------------------------------------------------


async def closed_loop(spec: dict[str, Any]) -> dict[str, Any]:
    """`concurrency` clients, each sending its next request as soon as the last one is answered."""
    import aiohttp

    make = MAKERS[spec["request"]](spec)
    expected = spec["expect_status"]
    concurrency = spec["concurrency"]
    window = Window(spec["warmup"], spec["seconds"], _watch(spec))
    cap = int((spec["warmup"] + spec["seconds"]) * MAX_REQUESTS_PER_SECOND)
    sent = 0
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=CLIENT_TIMEOUT_S)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def client(seed: int) -> None:
            nonlocal sent
            rng = random.Random(seed)
            while time.monotonic() < window.end and sent < cap:
                sent += 1
                method, url, headers, body = make(rng)
                began = time.monotonic()
                try:
                    async with session.request(method, url, headers=headers, data=body) as response:
                        await response.read()
                        status: int | str = response.status
                except (TimeoutError, aiohttp.ClientError) as exc:
                    status = type(exc).__name__
                done = time.monotonic()
                if window.contains(done):
                    if status == expected:
                        latencies.append(done - began)
                    else:
                        errors[str(status)] += 1

        observer = asyncio.create_task(window.observe())
        await asyncio.gather(*(client(i) for i in range(concurrency)))
        await observer
    return {
        "ok": len(latencies),
        "errors": dict(errors),
        "rps": round(len(latencies) / spec["seconds"], 1),
        **_latency_summary(latencies),
        **window.cpu(),
    }


async def pg_ceiling(spec: dict[str, Any]) -> dict[str, Any]:
    """Raw asyncpg: one transaction = INSERT one ticket + INSERT one outbox row, per connection."""
    import asyncpg

    from shared.db import asyncpg_dsn, init_connection

    schema = spec["schema"]
    ticket_sql = (
        f"INSERT INTO {schema}.tickets (id, number, customer_id, summary, description, channel, category, impact, "
        f"priority, status, region, created_by, created_at, updated_at, reported_at, occurrences, "
        f"last_occurred_at) "
        f"VALUES ($1, 'T-' || lpad(nextval('{schema}.ticket_number_seq')::text, 8, '0'), $2, $3, $4, $5, $6, $7, "
        f"$8, 'new', $9, $10, $11, $11, $11, 1, $11)"
    )
    outbox_sql = (
        f"INSERT INTO {schema}.outbox (event_id, topic, key, type, headers, payload) "
        f"VALUES ($1, $2, $3, $4, $5, $6)"
    )
    headers = spec["outbox_headers"]
    payload = spec["outbox_payload"].encode()
    window = Window(spec["warmup"], spec["seconds"], _watch(spec))
    cap = int((spec["warmup"] + spec["seconds"]) * MAX_REQUESTS_PER_SECOND)
    sent = 0
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    conns = [
        await asyncpg.connect(asyncpg_dsn(spec["dsn"]), timeout=10)
        for _ in range(spec["concurrency"])
    ]
    for conn in conns:
        await init_connection(conn)

    async def client(conn: Any, seed: int) -> None:
        nonlocal sent
        rng = random.Random(seed)
        while time.monotonic() < window.end and sent < cap:
            sent += 1
            ticket_id = uuid.uuid4()
            began = time.monotonic()
            try:
                async with conn.transaction():
                    await conn.execute(
                        ticket_sql,
                        ticket_id,
                        uuid.UUID(rng.choice(spec["customer_ids"])),
                        "Core switch stopped forwarding",
                        "Building A: all floors offline.",
                        "phone",
                        "network",
                        "outage",
                        "P1",
                        "north",
                        "bench",
                        datetime.now(UTC),
                    )
                    await conn.execute(
                        outbox_sql,
                        uuid.uuid4(),
                        spec["topic"],
                        str(ticket_id),
                        "ticket.created",
                        headers,
                        payload,
                    )
                ok = True
            except asyncpg.PostgresError as exc:
                ok = False
                errors[type(exc).__name__] += 1
            done = time.monotonic()
            if ok and window.contains(done):
                latencies.append(done - began)

    observer = asyncio.create_task(window.observe())
    try:
        await asyncio.gather(*(client(conn, i) for i, conn in enumerate(conns)))
        await observer
    finally:
        await asyncio.gather(*(conn.close() for conn in conns), return_exceptions=True)
    return {
        "ok": len(latencies),
        "errors": dict(errors),
        "tps": round(len(latencies) / spec["seconds"], 1),
        **_latency_summary(latencies),
        **window.cpu(),
    }


@dataclass
class _E2EState:
    created: dict[str, float] = field(default_factory=dict)  # ticket_id -> time its 201 arrived
    seen: dict[str, float] = field(default_factory=dict)  # ticket_id -> first poll that showed it
    unseen: set[str] = field(default_factory=set)  # created, not yet shown to its engineer
    create_errors: Counter[str] = field(default_factory=Counter)
    accept_errors: Counter[str] = field(default_factory=Counter)
    polls: int = 0
    not_modified: int = 0
    creating: bool = True


async def end_to_end(spec: dict[str, Any]) -> dict[str, Any]:
    """Tickets at a steady rate; engineers' phones long-poll their assignments and accept each one.

    Latency per ticket: from its 201 to the first answer of `GET /v1/me/assignments` that lists it.
    Each phone long-polls (`wait` + If-None-Match), as the engineers' app does: the server answers
    when the list changes. With `long_poll_s` 0 the phone polls every `poll_interval_s` instead.
    """
    import aiohttp

    rate = spec["rate"]
    seconds = spec["seconds"]
    total = int(rate * seconds)
    make = ticket_post_maker(spec)
    state = _E2EState()
    window = Window(0.0, seconds, _watch(spec))
    timeout = aiohttp.ClientTimeout(total=CLIENT_TIMEOUT_S)
    in_flight = asyncio.Semaphore(spec.get("max_in_flight", 256))
    tasks: set[asyncio.Task[None]] = set()

    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0), timeout=timeout
    ) as session:

        async def create(rng: random.Random) -> None:
            async with in_flight:
                method, url, headers, body = make(rng)
                try:
                    async with session.request(method, url, headers=headers, data=body) as response:
                        payload = await response.read()
                        arrived = time.monotonic()
                        if response.status == 201:
                            ticket_id = json.loads(payload)["id"]
                            state.created[ticket_id] = arrived
                            if ticket_id not in state.seen:
                                state.unseen.add(ticket_id)
                        else:
                            state.create_errors[str(response.status)] += 1
                except (TimeoutError, aiohttp.ClientError) as exc:
                    state.create_errors[type(exc).__name__] += 1

        async def accept(assignment_id: str, token: str) -> None:
            url = f"{spec['dispatch']}/v1/assignments/{assignment_id}/accept"
            try:
                # The phone's own time of the tap (DS-3): the bench's clock is the server's.
                body = {"occurred_at": datetime.now(UTC).isoformat()}
                async with session.post(
                    url, headers={"Authorization": f"Bearer {token}"}, json=body
                ) as response:
                    await response.read()
                    if response.status != 200:
                        state.accept_errors[str(response.status)] += 1
            except (TimeoutError, aiohttp.ClientError) as exc:
                state.accept_errors[type(exc).__name__] += 1

        async def phone(engineer_id: str, token: str, deadline: float) -> None:
            long_poll = spec.get("long_poll_s", 0)
            url = f"{spec['dispatch']}/v1/me/assignments?status=assigned&limit=200&wait={long_poll}"
            etag: str | None = None
            accepting: set[str] = set()
            while time.monotonic() < deadline:
                if not state.creating and not state.unseen:
                    return
                began = time.monotonic()
                headers = {"Authorization": f"Bearer {token}"}
                if etag:
                    headers["If-None-Match"] = etag
                try:
                    async with session.get(url, headers=headers) as response:
                        body = await response.read()
                        now = time.monotonic()
                        state.polls += 1
                        if response.status == 304:
                            state.not_modified += 1
                        elif response.status == 200:
                            etag = response.headers.get("ETag")
                            for item in json.loads(body)["items"]:
                                state.seen.setdefault(item["ticket_id"], now)
                                state.unseen.discard(item["ticket_id"])
                                # What an engineer's app does: take the job, so the list stays short.
                                if item["id"] not in accepting:
                                    accepting.add(item["id"])
                                    task = asyncio.create_task(accept(item["id"], token))
                                    tasks.add(task)
                                    task.add_done_callback(tasks.discard)
                except (TimeoutError, aiohttp.ClientError):
                    pass
                if not long_poll:
                    await asyncio.sleep(
                        max(0.0, spec["poll_interval_s"] - (time.monotonic() - began))
                    )

        deadline = time.monotonic() + seconds + spec["drain_s"]
        phones = [
            asyncio.create_task(phone(eid, token, deadline)) for eid, token in spec["engineers"]
        ]
        observer = asyncio.create_task(window.observe())
        rng = random.Random(1)
        started = time.monotonic()
        # Open loop: ticket i leaves at started + i/rate whether or not earlier ones were answered.
        for i in range(total):
            await asyncio.sleep(max(0.0, started + i / rate - time.monotonic()))
            task = asyncio.create_task(create(rng))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await observer
        while any(not t.done() for t in tasks) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        state.creating = False
        await asyncio.gather(*phones)
        if tasks:
            await asyncio.wait(list(tasks), timeout=CLIENT_TIMEOUT_S)

    latencies = []
    seen_before_201 = 0
    for ticket_id, arrived in state.created.items():
        if ticket_id in state.seen:
            delta = state.seen[ticket_id] - arrived
            seen_before_201 += delta < 0
            latencies.append(max(0.0, delta))
    return {
        "sent": total,
        "created": len(state.created),
        "create_errors": dict(state.create_errors),
        "never_seen": len(set(state.created) - set(state.seen)),
        "seen_before_201": seen_before_201,
        "accept_errors": dict(state.accept_errors),
        "polls": state.polls,
        "polls_not_modified": state.not_modified,
        "achieved_rate": round(len(state.created) / seconds, 1),
        **_latency_summary(latencies),
        **window.cpu(),
    }


async def alarm_storm(spec: dict[str, Any]) -> dict[str, Any]:
    """`alarms` monitoring alarms spread over the storm's assets, from `concurrency` clients at
    once, each sent as soon as the last was answered: how fast intake absorbs them, and how
    they were answered (one 201 per asset, 200 for every fold)."""
    import aiohttp

    serials = spec["serials"]
    total = spec["alarms"]
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {spec['token']}"}
    bodies = [
        json.dumps(
            {
                "serial": serials[i % len(serials)],
                "summary": "Link down on uplink port",
                "channel": "monitoring",
                "category": spec["categories"][0],
                "impact": "degraded",
                "alarm": {"source": "bench-monitor", "code": spec["code"]},
            }
        ).encode()
        for i in range(total)
    ]
    queue = iter(bodies)
    statuses: Counter[str] = Counter()
    latencies: list[float] = []
    window = Window(0.0, spec["seconds_cap"], _watch(spec))
    connector = aiohttp.TCPConnector(limit=spec["concurrency"])
    timeout = aiohttp.ClientTimeout(total=CLIENT_TIMEOUT_S)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def client() -> None:
            for body in queue:
                if time.monotonic() >= window.end:
                    return
                began = time.monotonic()
                try:
                    async with session.post(
                        spec["url"],
                        data=body,
                        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
                    ) as response:
                        await response.read()
                        status: int | str = response.status
                except (TimeoutError, aiohttp.ClientError) as exc:
                    status = type(exc).__name__
                latencies.append(time.monotonic() - began)
                statuses[str(status)] += 1

        first = _snapshot(window.watch)
        window.first = first
        started = time.monotonic()
        await asyncio.gather(*(client() for _ in range(spec["concurrency"])))
        elapsed = time.monotonic() - started
        window.last = _snapshot(window.watch)
    answered = statuses["200"] + statuses["201"]
    return {
        "alarms": total,
        "statuses": dict(statuses),
        "created": statuses["201"],
        "folded": statuses["200"],
        "seconds": round(elapsed, 3),
        "alarms_per_s": round(answered / elapsed, 1) if elapsed else None,
        **_latency_summary(latencies),
        **window.cpu(),
    }


async def reserve_hot_part(spec: dict[str, Any]) -> dict[str, Any]:
    """`concurrency` clients reserve one unit each of one part, each for a ticket of its own,
    until every ticket was used: every unit in stock and a tail beyond it. Reservations/s is the
    201s over the time to the last 201 (the refused tail after the stock ran out is apart)."""
    import aiohttp

    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {spec['token']}"}
    body = json.dumps({"part_number": spec["part_number"], "quantity": 1}).encode()
    queue = iter(spec["tickets"])
    statuses: Counter[str] = Counter()
    reserved: list[float] = []
    refused: list[float] = []
    problems: Counter[str] = Counter()  # the problem types of the refusals
    last_reserved = 0.0
    window = Window(0.0, spec["seconds_cap"], _watch(spec))
    connector = aiohttp.TCPConnector(limit=spec["concurrency"])
    timeout = aiohttp.ClientTimeout(total=CLIENT_TIMEOUT_S)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def client() -> None:
            nonlocal last_reserved
            for ticket_id in queue:
                if time.monotonic() >= window.end:
                    return
                url = f"{spec['base']}/v1/tickets/{ticket_id}/reservations"
                began = time.monotonic()
                try:
                    async with session.post(
                        url, data=body, headers={**headers, "Idempotency-Key": str(uuid.uuid4())}
                    ) as response:
                        payload = await response.read()
                        status: int | str = response.status
                except (TimeoutError, aiohttp.ClientError) as exc:
                    status, payload = type(exc).__name__, b""
                done = time.monotonic()
                statuses[str(status)] += 1
                if status == 201:
                    reserved.append(done - began)
                    last_reserved = max(last_reserved, done)
                elif status == 409:
                    refused.append(done - began)
                    with contextlib.suppress(ValueError, AttributeError):
                        problems[json.loads(payload).get("type", "?")] += 1

        window.first = _snapshot(window.watch)
        started = time.monotonic()
        await asyncio.gather(*(client() for _ in range(spec["concurrency"])))
        elapsed = time.monotonic() - started
        window.last = _snapshot(window.watch)
    to_last = last_reserved - started if reserved else 0.0
    return {
        "attempts": sum(statuses.values()),
        "statuses": dict(statuses),
        "reserved": len(reserved),
        "refused": len(refused),
        "refusal_types": dict(problems),
        "seconds": round(elapsed, 3),
        "seconds_to_last_reserved": round(to_last, 3),
        "rps": round(len(reserved) / to_last, 1) if to_last > 0 else None,
        **_latency_summary(reserved),
        "refused_p99_ms": _latency_summary(refused)["p99_ms"],
        **window.cpu(),
    }


SCENARIOS = {
    "http": closed_loop,
    "pg": pg_ceiling,
    "e2e": end_to_end,
    "storm": alarm_storm,
    "reserve": reserve_hot_part,
}


def main() -> None:
    import uvloop

    with open(sys.argv[1]) as f:
        spec = json.load(f)
    result = uvloop.run(SCENARIOS[spec["scenario"]](spec))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
