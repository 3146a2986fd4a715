"""`python -m bench.sla_timers`: 100,000 open SLA clocks falling due over a few minutes.

The clocks are written straight into escalation's schema (a ticket read-model row, the clock,
its start entry), in one statement each, as `open_clocks` would leave them: on `24x7`, an hour's
target whose warnings were already announced, so the breach at the due instant is the one
threshold pending and `next_fire_at` is the due. One seeded clock is replayed here to check
that the fold agrees. Their due times are spread evenly over `spread_s` seconds starting
`lead_s` after seeding, on the service's business clock (its `/v1/ops/clock` when clock control
is on, else wall time).

Two figures: before anything falls due, the escalation process's CPU over `idle_s` with them
all open (the timer's polling of its index is all it should cost); then, for every clock, the
instant its `sla.breached` row was written to the outbox (`created_at`, the database's
`clock_timestamp()`) minus its due instant: the timer's lateness. A clock fired twice would
show as a second row: counted as duplicates.

Alone it starts a fresh bench stack (`bench.stack`) on 127.0.0.1, measures, and stops it;
bounded by `lead_s + spread_s + drain_s`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import asyncpg
import httpx
import psutil
import typer
from rich.console import Console

from bench.stack import BenchStack, postmaster_pid, start_stack
from services.escalation.clocks.clock import Entry, EntryKind, replay
from shared.auth import issue_dev_token
from shared.businesstime import calendar
from shared.db import asyncpg_dsn
from shared.settings import Settings

SERVICE = "escalation"
CALENDAR = "24x7"  # business minutes are wall minutes: the due is where the bench put it
TARGET_MINUTES = 60

# One temporary table of (ticket, clock, due), then the three rows each from it.
_PLAN = """
CREATE TEMP TABLE sla_bench ON COMMIT DROP AS
SELECT g, gen_random_uuid() AS ticket_id, gen_random_uuid() AS clock_id,
       $2::timestamptz + make_interval(secs => $3::float8 + $4::float8 * (g - 0.5) / $1::int) AS due_at
FROM generate_series(1, $1::int) AS g
"""
_TICKETS = """
INSERT INTO escalation.tickets (id, number, customer_id, priority, reported_at, calendar, status)
SELECT ticket_id, $1 || g, gen_random_uuid(), 'P2', due_at - make_interval(mins => $2), $3, 'open'
FROM sla_bench
"""
# Running for target - (due - now) minutes; 50 % and 80 % already announced (`sent`).
_CLOCKS = """
INSERT INTO escalation.clocks (id, ticket_id, kind, calendar, target_minutes, status, started_at,
    used_minutes, due_at, sent, next_fire_at, updated_at)
SELECT clock_id, ticket_id, 'restore', $3, $2, 'running', due_at - make_interval(mins => $2),
       $2 - extract(epoch FROM due_at - $1::timestamptz) / 60, due_at, $4::float8[], due_at, $1
FROM sla_bench
"""
_ENTRIES = """
INSERT INTO escalation.clock_entries (clock_id, at, kind, reason, source, target_minutes,
    calendar, recorded_at)
SELECT clock_id, due_at - make_interval(mins => $2), 'start', '', 'bench', $2, $3, $1
FROM sla_bench
"""
_SAMPLE = """
SELECT c.id, c.next_fire_at, c.sent, e.at, e.target_minutes, e.calendar
FROM escalation.clocks c JOIN escalation.tickets t ON t.id = c.ticket_id
JOIN escalation.clock_entries e ON e.clock_id = c.id
WHERE t.number = $1
"""
# The seeded clocks' breaches: one ticket per clock, and an SLA event's key is its ticket.
_FIRED = """
SELECT c.id, c.due_at, o.created_at
FROM escalation.outbox o
JOIN escalation.tickets t ON o.key = t.id::text
JOIN escalation.clocks c ON c.ticket_id = t.id
WHERE o.type = 'sla.breached' AND t.number LIKE $1
"""
# Polled while they fire, so it must weigh nothing beside the timer: the timer's own partial
# index, shrinking as clocks fire (other clocks due by then count too: the timer owes them too).
_PENDING = """
SELECT count(*) FROM escalation.clocks WHERE next_fire_at IS NOT NULL AND next_fire_at <= $1
"""
_COUNT = f"SELECT count(*) AS rows, count(DISTINCT id) AS clocks FROM ({_FIRED}) f"
_LATENESS = f"""
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50_ms,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99_ms,
       min(ms) AS min_ms, max(ms) AS max_ms
FROM (
    SELECT extract(epoch FROM min(created_at) - (due_at - $2::interval)) * 1000 AS ms
    FROM ({_FIRED}) f GROUP BY id, due_at
) x
"""

# The same, per 30 s of due times: a backlog shows as a run of late buckets.
_LATENESS_BY_30S = f"""
SELECT floor(extract(epoch FROM due_at - $3::timestamptz) / 30)::int * 30 AS from_s,
       count(*) AS clocks,
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS p99_ms
FROM (
    SELECT due_at, extract(epoch FROM min(created_at) - (due_at - $2::interval)) * 1000 AS ms
    FROM ({_FIRED}) f GROUP BY id, due_at
) x
GROUP BY 1 ORDER BY 1
"""


def _process_cpu_s(pid: int) -> float:
    """CPU seconds of the process and its children (a service may run workers)."""
    used = 0.0
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return used
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            times = proc.cpu_times()
            used += times.user + times.system
    return used


async def _cpu_pct(pid: int, seconds: float) -> float:
    before, began = _process_cpu_s(pid), time.monotonic()
    await asyncio.sleep(seconds)
    return 100 * (_process_cpu_s(pid) - before) / (time.monotonic() - began)


async def _business_offset(stack: BenchStack) -> tuple[timedelta, str]:
    """The service's business time minus wall time: 0 unless clock control moved it."""
    token = issue_dev_token(stack.settings, "bench-admin", ["admin"])
    async with httpx.AsyncClient(base_url=stack.url(SERVICE), timeout=10.0) as http:
        response = await http.get("/v1/ops/clock", headers={"Authorization": f"Bearer {token}"})
    if response.status_code != 200:
        return timedelta(0), "wall"
    now = datetime.fromisoformat(response.json()["now"])
    return now - datetime.now(UTC), "ops/clock"


async def measure(
    stack: BenchStack,
    console: Console,
    *,
    clocks: int = 100_000,
    lead_s: float = 60.0,
    spread_s: float = 180.0,
    idle_s: float = 30.0,
    drain_s: float = 60.0,
) -> dict[str, Any]:
    assert stack.supervisor is not None
    pid = stack.supervisor.children[SERVICE].pid
    if pid is None:
        raise RuntimeError("the escalation service is not running")
    # Where the time goes when it is late: PostgreSQL (the postmaster and its backends) and the
    # whole machine, shared with whatever else runs on it.
    postgres = await postmaster_pid(stack.database_url)
    offset, clock_source = await _business_offset(stack)
    prefix = f"SLA-{secrets.token_hex(3)}-"
    conn = await asyncpg.connect(asyncpg_dsn(stack.database_url), timeout=10)
    try:
        console.print(f"  sla_timers: seeding {clocks:,} open clocks …")
        began = time.monotonic()
        now = datetime.now(UTC) + offset
        async with conn.transaction():
            await conn.execute(_PLAN, clocks, now, lead_s, spread_s)
            await conn.execute(_TICKETS, prefix, TARGET_MINUTES, CALENDAR)
            await conn.execute(_CLOCKS, now, TARGET_MINUTES, CALENDAR, list(_warnings()))
            await conn.execute(_ENTRIES, now, TARGET_MINUTES, CALENDAR)
        seed_s = time.monotonic() - began
        await conn.execute("ANALYZE escalation.clocks")
        _check_fold(await conn.fetchrow(_SAMPLE, f"{prefix}1"), now)
        first_due = now + timedelta(seconds=lead_s)
        last_due = first_due + timedelta(seconds=spread_s)

        # Idle: every clock open, none due yet.
        room = (first_due - (datetime.now(UTC) + offset)).total_seconds() - 2.0
        idle_window = min(idle_s, room)
        console.print(f"  sla_timers: escalation's idle CPU over {idle_window:.0f} s …")
        idle_pct = await _cpu_pct(pid, idle_window) if idle_window > 1 else None
        early = (await conn.fetchrow(_COUNT, f"{prefix}%"))["rows"]

        console.print(
            f"  sla_timers: waiting for {clocks:,} breaches over {spread_s:g} s "
            f"(+ {drain_s:g} s at most) …"
        )
        wait = (first_due - (datetime.now(UTC) + offset)).total_seconds()
        await asyncio.sleep(max(0.0, wait))
        cpu_before, firing_began = _process_cpu_s(pid), time.monotonic()
        pg_before = _process_cpu_s(postgres) if postgres is not None else 0.0
        psutil.cpu_percent()  # starts the machine-wide interval
        deadline = time.monotonic() + spread_s + drain_s
        while time.monotonic() < deadline:
            await asyncio.sleep(1.0)
            if datetime.now(UTC) + offset > last_due and not await conn.fetchval(
                _PENDING, last_due
            ):
                break
        counted = await conn.fetchrow(_COUNT, f"{prefix}%")
        firing_s = time.monotonic() - firing_began
        firing_pct = 100 * (_process_cpu_s(pid) - cpu_before) / firing_s
        pg_pct = (
            100 * (_process_cpu_s(postgres) - pg_before) / firing_s
            if postgres is not None
            else None
        )
        machine_pct = psutil.cpu_percent()
        late = await conn.fetchrow(_LATENESS, f"{prefix}%", offset)
        by_30s = await conn.fetch(_LATENESS_BY_30S, f"{prefix}%", offset, first_due)
    finally:
        await conn.close()
    return {
        "clocks": clocks,
        "clock_source": clock_source,
        "seed_s": round(seed_s, 2),
        "lead_s": lead_s,
        "spread_s": spread_s,
        "due_first": first_due.isoformat(),
        "due_last": last_due.isoformat(),
        "idle_s": round(idle_window, 1),
        "idle_cpu_pct": None if idle_pct is None else round(idle_pct, 2),
        "fired_before_due": early,
        "fired": counted["clocks"],
        "missing": clocks - counted["clocks"],
        "breach_rows": counted["rows"],
        "duplicates": counted["rows"] - counted["clocks"],
        "firing_s": round(firing_s, 1),
        "firing_cpu_pct": round(firing_pct, 1),
        "firing_postgres_cpu_pct": None if pg_pct is None else round(pg_pct, 1),
        "firing_machine_busy_pct": round(machine_pct, 1),
        **{k: None if v is None else round(float(v), 1) for k, v in dict(late).items()},
        "p99_ms_by_30s_of_due": {
            f"+{r['from_s']}s": [r["clocks"], float(r["p99_ms"])] for r in by_30s
        },
    }


def _check_fold(row: asyncpg.Record | None, now: datetime) -> None:
    """The seeded row must be what settle would have saved: else the figure measures nothing."""
    if row is None:
        raise RuntimeError("the seeded clocks are missing")
    start = Entry(
        at=row["at"],
        seq=1,
        kind=EntryKind.start,
        target_minutes=row["target_minutes"],
        calendar=row["calendar"],
    )
    state = replay([start], calendar, now, _warnings(), sent=tuple(row["sent"]))
    if state.next_fire_at != row["next_fire_at"] or len(state.pending) != 1:
        raise RuntimeError(
            f"seeded clock {row['id']} disagrees with its replay: next_fire_at "
            f"{row['next_fire_at']} vs {state.next_fire_at}, pending {state.pending}"
        )


app = typer.Typer(add_completion=False)


def _warnings() -> tuple[float, ...]:
    """The fractions the services announce (their settings come from the same environment)."""
    return tuple(Settings().sla_warning_fractions)


@app.command()
def main(
    clocks: Annotated[
        int, typer.Option(min=1, max=1_000_000, help="open clocks to seed")
    ] = 100_000,
    lead_s: Annotated[
        float, typer.Option(min=5, max=600, help="seconds from seeding to the first due")
    ] = 60.0,
    spread_s: Annotated[
        float, typer.Option(min=1, max=600, help="seconds the due times are spread over")
    ] = 180.0,
    idle_s: Annotated[
        float, typer.Option(min=1, max=300, help="seconds of idle CPU measured before any is due")
    ] = 30.0,
    drain_s: Annotated[
        float, typer.Option(min=1, max=600, help="seconds allowed after the last due")
    ] = 60.0,
    database_url: Annotated[
        str | None,
        typer.Option(help="PostgreSQL server for the bench database (default: embedded)"),
    ] = None,
    bootstrap: Annotated[
        str | None, typer.Option(help="Kafka bootstrap servers (default: the bench's Tansu)")
    ] = None,
    state_dir: Annotated[Path, typer.Option(help="embedded services' data and logs")] = Path(
        ".fieldops/bench"
    ),
) -> None:
    """Start a fresh bench stack, seed the clocks, measure, stop."""
    console = Console(highlight=False)

    async def run() -> dict[str, Any]:
        console.print("[bold]starting a fresh stack[/] …")
        stack = await start_stack(
            state_dir.resolve(), database_url=database_url, bootstrap=bootstrap
        )
        try:
            return await measure(
                stack,
                console,
                clocks=clocks,
                lead_s=lead_s,
                spread_s=spread_s,
                idle_s=idle_s,
                drain_s=drain_s,
            )
        finally:
            console.print("stopping the stack …")
            await stack.stop()

    print(json.dumps(asyncio.run(run()), indent=2))


if __name__ == "__main__":
    app()
