"""The benchmark's phases, in order, on one stack; each measurement in a load-generator process.

Order per round: PostgreSQL ceiling, HTTP ceiling, intake creates, availability reads,
reservations of one hot part (on the tickets the creates made); then the
end-to-end rounds; last, once, 100,000 SLA clocks falling due (`bench.sla_timers`). Before every
measurement the system is let settle (outboxes drained, the services' CPU back to its idle
level), so that one phase's backlog does not eat the next one's CPU: at 500 tickets/s the
pipeline behind intake has seconds of work left when the load stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import psutil
from rich.console import Console

from bench import businesstime, dispatch, reserve, sla_timers
from bench.seed import E2E_CATEGORIES, THROUGHPUT_CATEGORIES, Seed, knowledge_queries
from bench.stack import BARE_HTTP, BenchStack, postmaster_pid
from shared.auth import issue_dev_token
from shared.db import asyncpg_dsn
from shared.events.intake import TicketCreated
from shared.outbox_rows import envelope_for
from shared.settings import SERVICES, Settings

CEILING_SCHEMA = "bench_ceiling"
ALARM_STORM_ALARMS = 2_000
KNOWLEDGE_CLIENTS = 16


@dataclass(frozen=True)
class Options:
    runs: int
    seconds: float
    warmup: float
    concurrency: int
    e2e_seconds: float
    e2e_rate: float
    poll_interval_ms: float
    long_poll_s: int
    drain_seconds: float
    settle_timeout: float

    @classmethod
    def one_phase(cls, runs: int, seconds: float, warmup: float, concurrency: int) -> Options:
        """For a phase measured on its own (`python -m bench.knowledge`): no end-to-end round."""
        return cls(
            runs=runs,
            seconds=seconds,
            warmup=warmup,
            concurrency=concurrency,
            e2e_seconds=1.0,
            e2e_rate=1.0,
            poll_interval_ms=20.0,
            long_poll_s=0,
            drain_seconds=1.0,
            settle_timeout=60.0,
        )


class Phases:
    def __init__(self, stack: BenchStack, seed: Seed, options: Options, console: Console) -> None:
        self.stack = stack
        self.seed = seed
        self.options = options
        self.console = console
        self.watch: dict[str, tuple[int, bool]] = {}  # name -> (pid, count its descendants too)
        self.idle_services_pct = 0.0
        self.settling: list[dict[str, Any]] = []

    async def prepare(self) -> None:
        assert self.stack.supervisor is not None
        self.watch = {
            name: (child.pid, True)
            for name, child in self.stack.supervisor.children.items()
            if child.pid is not None
        }
        if (pid := await postmaster_pid(self.stack.database_url)) is not None:
            self.watch["postgres"] = (pid, True)  # the backends are the postmaster's children
        if self.stack.tansu is not None and self.stack.tansu.pid is not None:
            self.watch["tansu"] = (self.stack.tansu.pid, True)
        if self.stack.seaweedfs is not None and self.stack.seaweedfs.pid is not None:
            # Tansu on s3:// writes every produce batch to SeaweedFS: that CPU is the broker's too.
            self.watch["seaweedfs"] = (self.stack.seaweedfs.pid, True)
        # The orchestrator alone (its children are the services and the generator, counted apart).
        self.watch["bench"] = (os.getpid(), False)
        await self._create_ceiling_schema()
        # Idle consumers poll the broker all the time (fetch wait): that is the floor to settle to.
        self.idle_services_pct = await self._services_cpu_pct(2.0)

    # --- settling -------------------------------------------------------------------------------

    async def _services_cpu_pct(self, seconds: float) -> float:
        procs = [psutil.Process(self.watch[s][0]) for s in SERVICES if s in self.watch]

        def total() -> float:
            used = 0.0
            for proc in procs:
                with contextlib.suppress(psutil.Error):
                    times = proc.cpu_times()
                    used += times.user + times.system
            return used

        before = total()
        await asyncio.sleep(seconds)
        return 100 * (total() - before) / seconds

    async def settle(self, before: str) -> None:
        began = time.monotonic()
        deadline = began + self.options.settle_timeout
        quiet_in_a_row = 0
        pending, cpu = -1, -1.0
        behind = -1
        while time.monotonic() < deadline:
            pending = await self._unpublished()
            behind = await self._dispatch_behind()
            cpu = await self._services_cpu_pct(1.0)
            quiet = pending == 0 and behind == 0 and cpu <= self.idle_services_pct + 15.0
            quiet_in_a_row = quiet_in_a_row + 1 if quiet else 0
            if quiet_in_a_row >= 2:
                break
        record = {
            "before": before,
            "seconds": round(time.monotonic() - began, 1),
            "settled": quiet_in_a_row >= 2,
            "unpublished": pending,
            "dispatch_behind": behind,
            "services_cpu_pct": round(cpu, 1),
        }
        self.settling.append(record)
        if not record["settled"]:
            self.console.print(
                f"[yellow]not settled before {before}[/] after {record['seconds']} s: "
                f"{pending} outbox rows unpublished, dispatch {behind} tickets behind, "
                f"services at {cpu:.0f}% CPU"
            )

    async def _dispatch_behind(self) -> int:
        # An empty outbox is not enough: the events may still wait in the broker for dispatch.
        return int(
            await self._fetchval(
                "SELECT (SELECT count(*) FROM intake.tickets) - (SELECT count(*) FROM dispatch.tickets)"
            )
        )

    async def sweep_assignments(self) -> int:
        """Finish what a previous round left open, as phones do after a dead spot: one offline
        batch of accept, arrive and complete per 60 jobs. Each round starts with engineers
        free and a phone's first page showing new work only."""
        swept = 0
        async with httpx.AsyncClient(base_url=self.stack.url("dispatch"), timeout=60.0) as http:
            for _engineer_id, token in self.seed.engineers:
                auth = {"Authorization": f"Bearer {token}"}
                # bounded: 200 batches of 60 is far beyond what one round leaves
                for _batch in range(200):
                    response = await http.get(
                        "/v1/me/assignments", params={"limit": 60}, headers=auth
                    )
                    items = response.json()["items"] if response.status_code == 200 else []
                    if not items:
                        break
                    uploaded = await http.post(
                        "/v1/me/actions", json={"actions": _finishing(items)}, headers=auth
                    )
                    if uploaded.status_code != 200:
                        break
                    swept += len(items)
        return swept

    async def _unpublished(self) -> int:
        sql = " + ".join(
            f"(SELECT count(*) FROM {s}.outbox WHERE published_at IS NULL)" for s in SERVICES
        )
        return int(await self._fetchval(f"SELECT {sql}"))

    async def _fetchval(self, sql: str, *args: Any) -> Any:
        conn = await asyncpg.connect(asyncpg_dsn(self.stack.database_url), timeout=10)
        try:
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()

    # --- measurements ---------------------------------------------------------------------------

    async def loadgen(self, spec: dict[str, Any], *, timeout: float) -> dict[str, Any]:
        """Run one scenario in its own process and return what it reports."""
        spec = {**spec, "watch": self.watch}
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(spec, f)
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.loadgen",
                f.name,
                env=self.stack.env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            try:
                out, err = await asyncio.wait_for(process.communicate(), timeout)
            except (TimeoutError, asyncio.CancelledError):
                process.kill()
                await process.wait()
                raise
        finally:
            os.unlink(f.name)
        if process.returncode != 0:
            raise RuntimeError(
                f"load generator failed ({spec['scenario']}):\n{err.decode(errors='replace')[-3000:]}"
            )
        return json.loads(out)

    def _timed(self, seconds: float) -> float:
        return self.options.warmup + seconds + 60

    async def pg_ceiling(self) -> dict[str, Any]:
        await self.settle("ceiling_pg_tps")
        event = TicketCreated(
            ticket_id=uuid.uuid4(),
            number="T-00000001",
            customer_id=uuid.uuid4(),
            priority="P1",
            category="network",
            channel="phone",
            summary="Core switch stopped forwarding",
            region="north",
            reported_at=datetime.now(UTC),
            created_at=datetime.now(UTC),
        )
        envelope = envelope_for(event, "/fieldops/intake")
        return await self.loadgen(
            {
                "scenario": "pg",
                "dsn": self.stack.database_url,
                "schema": CEILING_SCHEMA,
                "concurrency": self.options.concurrency,
                "seconds": self.options.seconds,
                "warmup": self.options.warmup,
                "customer_ids": self.seed.customer_ids,
                "topic": f"{CEILING_SCHEMA}.intake",
                # the shape write_outbox stores: headers as [[name, text]], the payload as JSON bytes
                "outbox_headers": [[k, v.decode()] for k, v in envelope.headers()],
                "outbox_payload": envelope.value().decode(),
            },
            timeout=self._timed(self.options.seconds),
        )

    async def http(
        self,
        figure: str,
        target: str,
        *,
        token: str | None,
        expect: int = 201,
        request: str = "ticket_post",
        **extra: Any,
    ) -> dict[str, Any]:
        await self.settle(figure)
        return await self.loadgen(
            {
                "scenario": "http",
                "request": request,
                "expect_status": expect,
                "url": f"{self.stack.url(target)}/v1/tickets",
                "base": self.stack.url(target),
                "token": token,
                "customer_ids": self.seed.customer_ids,
                "categories": THROUGHPUT_CATEGORIES,
                "concurrency": self.options.concurrency,
                "seconds": self.options.seconds,
                "warmup": self.options.warmup,
                **extra,
            },
            timeout=self._timed(self.options.seconds),
        )

    async def http_ceiling(self) -> dict[str, Any]:
        # Same body and headers as intake's load, token included: the bare app just ignores it.
        return await self.http("ceiling_http_rps", BARE_HTTP, token=self.seed.writer_token)

    async def intake_creates(self) -> dict[str, Any]:
        return await self.http("intake_create_rps", "intake", token=self.seed.writer_token)

    async def intake_creates_by_serial(self) -> dict[str, Any]:
        # IN-10: the same creates, by serial: one batched lookup of asset, contract and site.
        return await self.http(
            "intake_create_by_serial_rps",
            "intake",
            token=self.seed.writer_token,
            request="ticket_by_serial",
            serials=self.seed.serials,
        )

    async def alarm_storm(self, round_no: int) -> dict[str, Any]:
        """2,000 alarms over 20 assets from 32 clients must open exactly 20 tickets.

        A code of the round's own: the previous round's tickets are still open and would
        absorb every alarm of this one."""
        await self.settle("alarm_storm")
        code = f"BENCH-LINK-DOWN-{round_no}-{uuid.uuid4().hex[:6]}"
        result = await self.loadgen(
            {
                "scenario": "storm",
                "url": f"{self.stack.url('intake')}/v1/tickets",
                "token": self.seed.writer_token,
                "serials": self.seed.alarm_serials,
                "categories": THROUGHPUT_CATEGORIES,
                "alarms": ALARM_STORM_ALARMS,
                "concurrency": self.options.concurrency,
                "code": code,
                "seconds_cap": 120.0,
            },
            timeout=180.0,
        )
        counted = await self._fetchrow(
            "SELECT count(*) AS tickets, coalesce(sum(occurrences), 0) AS occurrences "
            "FROM intake.tickets WHERE alarm_code = $1",
            code,
        )
        result["tickets"] = counted["tickets"]
        result["occurrences"] = counted["occurrences"]
        result["expected_tickets"] = len(self.seed.alarm_serials)
        return result

    async def _fetchrow(self, sql: str, *args: Any) -> Any:
        conn = await asyncpg.connect(asyncpg_dsn(self.stack.database_url), timeout=10)
        try:
            return await conn.fetchrow(sql, *args)
        finally:
            await conn.close()

    async def availability(self) -> dict[str, Any]:
        return await self.http(
            "availability_rps",
            "inventory",
            token=None,
            expect=200,
            request="availability",
            targets=self.seed.parts,
        )

    async def reserve_hot_part(self, round_no: int) -> dict[str, Any]:
        """32 clients reserving one unit each of one part with `HOT_UNITS` in stock, each for a
        ticket of its own, until the stock and a tail beyond it were asked for; then the ledger
        says whether any unit was promised twice (bench.reserve)."""
        await self.settle("reserve_hot_part")
        token = issue_dev_token(self.stack.settings, "bench-stores", ["admin"])
        tickets = await reserve.known_tickets(
            self.stack.database_url, reserve.attempts_for(reserve.HOT_UNITS)
        )
        units = reserve.units_for(len(tickets))
        hot = await reserve.create_hot_part(
            self.stack.url("inventory"),
            token,
            tag=f"{round_no}-{uuid.uuid4().hex[:6]}",
            units=units,
        )
        measured = await self.loadgen(
            {
                "scenario": "reserve",
                "base": self.stack.url("inventory"),
                "token": token,
                "part_number": hot.part_number,
                "tickets": tickets[: reserve.attempts_for(units)],
                "concurrency": self.options.concurrency,
                "seconds_cap": reserve.SECONDS_CAP,
            },
            timeout=reserve.SECONDS_CAP + 60,
        )
        checked = reserve.check(
            hot, measured, await reserve.ledger(self.stack.database_url, hot.part_number)
        )
        result = {**measured, **checked}
        if result["oversold"]:
            self.console.print(
                f"[bold red]reserve_hot_part OVERSOLD {hot.part_number}:[/] {result['oversold']} "
                f"unit(s) promised beyond the {units} received; ledger {result['ledger']}"
            )
        unexpected = {k: v for k, v in measured["statuses"].items() if k not in ("201", "409")}
        if unexpected or not result["ledger_matches_answers"] or result["refused_with_stock_left"]:
            self.console.print(
                f"[yellow]reserve_hot_part:[/] answers {measured['statuses']}, "
                f"{result['refused_with_stock_left']} refused while stock was left, "
                f"ledger rows {result['ledger']['reservation_rows']} for "
                f"{measured['reserved']} reservations"
            )
        return result

    async def my_assignments(self) -> dict[str, Any]:
        """DS-3: phones reading their job list (a page of 50, briefed with ticket, site and
        contact), right after an end-to-end round left each engineer hundreds of live jobs."""
        return await self.http(
            "me_assignments_rps",
            "dispatch",
            token=None,
            expect=200,
            request="my_assignments",
            targets=[token for _engineer_id, token in self.seed.engineers],
        )

    async def knowledge_search(self) -> dict[str, Any]:
        # IN-8: the centre's searches over the 10,000 articles seed_articles wrote, at 16 clients.
        return await self.http(
            "knowledge_search",
            "intake",
            token=self.seed.writer_token,
            expect=200,
            request="knowledge_search",
            queries=knowledge_queries(),
            concurrency=KNOWLEDGE_CLIENTS,
        )

    async def end_to_end(self) -> dict[str, Any]:
        await self.settle("e2e_assign_latency")
        swept = await self.sweep_assignments()
        if swept:
            self.console.print(f"  finished {swept} jobs left open by an earlier round")
            await self.settle("e2e_assign_latency")
        began = await self._fetchval("SELECT clock_timestamp()")
        result = await self.loadgen(
            {
                "scenario": "e2e",
                "url": f"{self.stack.url('intake')}/v1/tickets",
                "token": self.seed.writer_token,
                "dispatch": self.stack.url("dispatch"),
                "customer_ids": self.seed.customer_ids,
                "categories": E2E_CATEGORIES,
                "rate": self.options.e2e_rate,
                "seconds": self.options.e2e_seconds,
                "engineers": self.seed.engineers,
                "poll_interval_s": self.options.poll_interval_ms / 1000,
                "long_poll_s": self.options.long_poll_s,
                "drain_s": self.options.drain_seconds,
            },
            timeout=self.options.e2e_seconds + self.options.drain_seconds + 60,
        )
        ended = await self._fetchval("SELECT clock_timestamp()")
        result["relay_lag"] = await self.relay_lag(began, ended)
        result["swept_before"] = swept
        return result

    async def relay_lag(
        self, began: datetime, ended: datetime, wait_s: float = 15.0
    ) -> dict[str, Any]:
        """Commit to broker ack of every outbox row written in [began, ended), from the rows themselves."""
        rows = " UNION ALL ".join(
            f"SELECT '{s}' AS schema, created_at, published_at FROM {s}.outbox" for s in SERVICES
        )
        window = f"FROM ({rows}) o WHERE created_at >= $1 AND created_at < $2"
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if not await self._fetchval(
                f"SELECT count(*) {window} AND published_at IS NULL", began, ended
            ):
                break
            await asyncio.sleep(0.25)
        lag = "extract(epoch FROM published_at - created_at) * 1000"
        conn = await asyncpg.connect(asyncpg_dsn(self.stack.database_url), timeout=10)
        try:
            overall = await conn.fetchrow(
                f"""SELECT count(*) AS rows, count(*) FILTER (WHERE published_at IS NULL) AS unpublished,
                           percentile_cont(0.5) WITHIN GROUP (ORDER BY {lag}) AS p50_ms,
                           percentile_cont(0.99) WITHIN GROUP (ORDER BY {lag}) AS p99_ms,
                           max({lag}) AS max_ms {window}""",
                began,
                ended,
            )
            per_schema = await conn.fetch(
                f"""SELECT schema, count(*) AS rows,
                           percentile_cont(0.5) WITHIN GROUP (ORDER BY {lag}) AS p50_ms,
                           percentile_cont(0.99) WITHIN GROUP (ORDER BY {lag}) AS p99_ms
                    {window} GROUP BY schema ORDER BY schema""",
                began,
                ended,
            )
        finally:
            await conn.close()
        return {
            **_rounded(dict(overall)),
            "per_schema": {r["schema"]: _rounded(dict(r)) for r in per_schema},
        }

    async def sla_timers(self) -> dict[str, Any]:
        """Last, once: its 100,000 clocks stay open in the schema and would weigh on the rest."""
        await self.settle("sla_timers")
        return await sla_timers.measure(self.stack, self.console)

    async def _create_ceiling_schema(self) -> None:
        # The same columns, defaults, indexes and foreign key as intake's tables, minus the
        # NOTIFY trigger: this is the cost of the two rows alone.
        conn = await asyncpg.connect(asyncpg_dsn(self.stack.database_url), timeout=10)
        try:
            await conn.execute(f"""
                CREATE SCHEMA {CEILING_SCHEMA};
                CREATE SEQUENCE {CEILING_SCHEMA}.ticket_number_seq;
                CREATE TABLE {CEILING_SCHEMA}.tickets (LIKE intake.tickets INCLUDING ALL);
                ALTER TABLE {CEILING_SCHEMA}.tickets
                    ADD FOREIGN KEY (customer_id) REFERENCES intake.customers (id);
                CREATE TABLE {CEILING_SCHEMA}.outbox (LIKE intake.outbox INCLUDING ALL);
            """)
        finally:
            await conn.close()


def _rounded(row: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()}


async def measure(
    stack: BenchStack, seed: Seed, options: Options, console: Console
) -> dict[str, Any]:
    phases = Phases(stack, seed, options, console)
    await phases.prepare()
    rounds: list[dict[str, Any]] = []
    for n in range(options.runs):
        done: dict[str, Any] = {}
        for name, phase in (
            ("ceiling_pg", phases.pg_ceiling),
            ("ceiling_http", phases.http_ceiling),
            ("intake_create", phases.intake_creates),
            ("intake_create_by_serial", phases.intake_creates_by_serial),
            ("alarm_storm", functools.partial(phases.alarm_storm, n)),
            ("availability", phases.availability),
            ("reserve_hot_part", functools.partial(phases.reserve_hot_part, n)),
            ("knowledge_search", phases.knowledge_search),
        ):
            console.print(f"  round {n + 1}/{options.runs}: {name} …")
            done[name] = await phase()
        rounds.append(done)
    e2e: list[dict[str, Any]] = []
    for n in range(options.runs):
        console.print(
            f"  round {n + 1}/{options.runs}: end-to-end at {options.e2e_rate:g}/s "
            f"for {options.e2e_seconds:g} s …"
        )
        e2e.append(await phases.end_to_end())
        console.print(f"  round {n + 1}/{options.runs}: phones reading their job lists …")
        e2e[-1]["me_assignments"] = await phases.my_assignments()
    console.print("  sla_timers: 100,000 open clocks falling due …")
    timers = await phases.sla_timers()
    settings = Settings()
    return {
        "rounds": rounds,
        "e2e": e2e,
        "sla_timers": timers,
        "settling": phases.settling,
        "idle_services_cpu_pct": round(phases.idle_services_pct, 1),
        "service_settings": {
            "kafka_fetch_max_wait_ms": settings.kafka_fetch_max_wait_ms,
            "db_pool_max": settings.db_pool_max,
            "relay_batch_size": settings.relay_batch_size,
        },
    }


SWEEP_REPORT = {
    "work_done": "Bench: finished between rounds",
    "root_cause": "Bench load",
    "fault_type": "configuration",
    "parts_used": [],
    "minutes_on_site": 1,
}


_TO_COMPLETED = {
    "assigned": ("accept", "arrive", "complete"),
    "accepted": ("arrive", "complete"),
    "departed": ("arrive", "complete"),
    "on_site": ("complete",),
}


def _finishing(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The steps that take each listed job to completed, each with its own key."""
    at = datetime.now(UTC).isoformat()
    actions = []
    for item in items:
        for action in _TO_COMPLETED[item["status"]]:
            step: dict[str, Any] = {
                "assignment_id": item["id"],
                "action": action,
                "key": str(uuid.uuid4()),
                "occurred_at": at,
            }
            if action == "complete":
                step["report"] = SWEEP_REPORT
            actions.append(step)
    return actions


def measure_rules(options: Options, console: Console) -> dict[str, Any]:
    """The pure rules' CPU figures, taken once the stack has stopped: a service still catching
    up on its backlog would be timed as well."""
    console.print("  business time: one add across a holiday week …")
    added = businesstime.measure(repeat=options.runs)
    console.print("  dispatch: deciding among 1,000 engineers …")
    return {"businesstime": added, "dispatch": dispatch.measure(repeat=options.runs)}
