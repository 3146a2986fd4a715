"""`reserve_hot_part`: one scarce part reserved by many at once, and no unit promised twice.

A location of its own receives `HOT_UNITS` of a new part; 32 clients each reserve one unit
(`POST /v1/tickets/{id}/reservations`), every request for a ticket of its own that inventory
learned from intake's `ticket.created`, until every unit and a tail of 10 % beyond were asked
for. Writers of one part serialize on its catalogue row (`lock_part` in stock/store.py), so the
figure is that lock's throughput: reservations/s of a single part, beside `availability_rps`
and the HTTP ceiling. Then the ledger is read back: more reserved than received is an oversell,
and the phase fails (the bench exits non-zero).

`python -m bench.reserve`: this figure alone, with what it is read beside (the HTTP ceiling,
availability) and the intake creates that make its tickets, on a stack of its own.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import asyncpg
import httpx
import typer
from rich.console import Console

from bench.seed import LOCATION_KIND, part_body
from shared.db import asyncpg_dsn

HOT_UNITS = 2_000
# Asked for beyond the stock: the refusals at the end (409 insufficient-stock) must be refusals,
# and none of them may have come while a unit was left.
TAIL = 0.10
SECONDS_CAP = 120.0
# The fewest units that still say something about contention at 32 clients.
MIN_UNITS = 200

_TICKETS = """
SELECT id FROM inventory.tickets WHERE status = 'open'
ORDER BY (site_id IS NULL), received_at LIMIT $1"""
# The ledger of the hot part, summed: what was received, what is held, and whether any row
# ever carried more reserved than on hand (which its check constraint should make impossible).
_LEDGER = """
SELECT coalesce(sum(on_hand_delta) FILTER (WHERE kind = 'receipt'), 0) AS received,
       coalesce(sum(on_hand_delta), 0) AS on_hand,
       coalesce(sum(reserved_delta), 0) AS reserved,
       count(*) FILTER (WHERE kind = 'reservation') AS reservation_rows,
       coalesce(bool_or(reserved_after > on_hand_after), false) AS ever_over
FROM inventory.movements WHERE part_number = $1"""
_HELD = """
SELECT coalesce(sum(quantity), 0) FROM inventory.reservations
WHERE part_number = $1 AND status = 'reserved'"""


@dataclass(frozen=True)
class HotPart:
    part_number: str
    location_id: str
    units: int


def attempts_for(units: int) -> int:
    return units + max(32, int(units * TAIL))


def units_for(tickets: int) -> int:
    """As many units as the tickets inventory knows allow, tail included, up to HOT_UNITS."""
    units = HOT_UNITS
    while units > MIN_UNITS and attempts_for(units) > tickets:
        units -= 100
    return units


async def known_tickets(database_url: str, wanted: int, *, timeout: float = 60.0) -> list[str]:
    """Open tickets inventory has recorded (intake's creates of this round and before), those
    with a site first (a reservation looks for the stock nearest it). Waits while inventory is
    still catching up on `ticket.created`, then takes what there is."""
    deadline = time.monotonic() + timeout
    conn = await asyncpg.connect(asyncpg_dsn(database_url), timeout=10)
    try:
        while True:
            rows = await conn.fetch(_TICKETS, wanted)
            if len(rows) >= wanted or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
    finally:
        await conn.close()
    if len(rows) < attempts_for(MIN_UNITS):
        raise RuntimeError(
            f"reserve_hot_part needs {attempts_for(MIN_UNITS)} tickets known to inventory; "
            f"it has {len(rows)} (is it consuming ticket.created?)"
        )
    return [str(r["id"]) for r in rows]


async def create_hot_part(base_url: str, token: str, *, tag: str, units: int) -> HotPart:
    """A location, a part and one delivery of `units`, through the API as the back office does."""
    async with httpx.AsyncClient(
        base_url=base_url, timeout=30.0, headers={"Authorization": f"Bearer {token}"}
    ) as http:

        async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            response = await http.post(
                path, json=body, headers={"Idempotency-Key": str(uuid.uuid4())}
            )
            if response.status_code != 201:
                raise RuntimeError(
                    f"reserve_hot_part: {path}: HTTP {response.status_code} {response.text[:500]}"
                )
            return response.json()

        location = await post(
            "/v1/locations",
            {
                "name": f"BENCH-HOT-{tag}",
                "kind": LOCATION_KIND,
                "latitude": 31.2,
                "longitude": 121.5,
            },
        )
        part_number = f"BENCH-HOT-{tag}"
        await post("/v1/parts", part_body(part_number, "ACME", 0))
        await post(
            "/v1/receipts",
            {
                "part_number": part_number,
                "location_id": location["id"],
                "quantity": units,
                "delivery_reference": f"BENCH-DN-HOT-{tag}",
            },
        )
    return HotPart(part_number, location["id"], units)


async def ledger(database_url: str, part_number: str) -> dict[str, Any]:
    conn = await asyncpg.connect(asyncpg_dsn(database_url), timeout=10)
    try:
        row = dict(await conn.fetchrow(_LEDGER, part_number))
        row["held_by_reservations"] = await conn.fetchval(_HELD, part_number)
    finally:
        await conn.close()
    return row


def check(hot: HotPart, measured: dict[str, Any], booked: dict[str, Any]) -> dict[str, Any]:
    """What the run promised against what was there. Oversold: more units promised (201s, the
    ledger's reserved, the reservations held) than were received, or any row over its stock."""
    promised = max(measured["reserved"], booked["reserved"], booked["held_by_reservations"])
    oversold = max(0, promised - booked["received"]) + int(booked["ever_over"])
    return {
        "units": hot.units,
        "ledger": booked,
        "oversold": oversold,
        # Refused while a unit was still free: not an oversell, but a lost sale to report.
        "refused_with_stock_left": measured["refused"] if measured["reserved"] < hot.units else 0,
        # Every 201 one ledger row, and every ledger row a 201: else a client timed out on a
        # reservation that was made, or a 201 booked nothing.
        "ledger_matches_answers": booked["reservation_rows"] == measured["reserved"],
    }


app = typer.Typer(add_completion=False)


@app.command()
def main(
    runs: Annotated[int, typer.Option(min=1, max=20, help="measured rounds")] = 3,
    seconds: Annotated[float, typer.Option(min=1, max=120, help="seconds per HTTP run")] = 8.0,
    warmup: Annotated[float, typer.Option(min=0, max=30, help="unmeasured seconds first")] = 2.0,
    database_url: Annotated[
        str | None, typer.Option(help="PostgreSQL server to use (default: embedded)")
    ] = None,
    broker_storage: Annotated[str, typer.Option(help="memory or s3")] = "memory",
    state_dir: Annotated[Path, typer.Option(help="embedded PostgreSQL data and logs")] = Path(
        ".fieldops/bench"
    ),
    out: Annotated[
        Path | None, typer.Option(help="write every round's figures as JSON here")
    ] = None,
) -> None:
    # bench.run imports this module for its phase: its own names are imported here, not above.
    from bench.run import Options

    options = Options.one_phase(runs, seconds, warmup, 32)
    console = Console(highlight=False)
    rounds = asyncio.run(
        _measure(options, state_dir.resolve(), database_url, broker_storage, console)
    )
    for n, r in enumerate(rounds, 1):
        hot, avail, http = r["reserve_hot_part"], r["availability"], r["ceiling_http"]
        console.print(
            f"round {n}: {hot['rps']} reservations/s (p50 {hot['p50_ms']} / p99 {hot['p99_ms']} ms) "
            f"of {hot['units']} units, {hot['refused']} refused, oversold {hot['oversold']}; "
            f"availability {avail['rps']} rps, http {http['rps']} rps"
        )
    if out is not None:
        out.write_text(json.dumps(rounds, indent=2, default=str) + "\n")
    if any(r["reserve_hot_part"]["oversold"] for r in rounds):
        console.print("[bold red]a unit was promised twice[/]")
        raise typer.Exit(1)


async def _measure(
    options: Any,
    state_dir: Path,
    database_url: str | None,
    broker_storage: str,
    console: Console,
) -> list[dict[str, Any]]:
    from bench.run import Phases
    from bench.seed import seed
    from bench.stack import start_stack
    from shared.settings import SERVICES

    console.print("starting a fresh stack …")
    stack = await start_stack(
        state_dir, database_url=database_url, bootstrap=None, broker_storage=broker_storage
    )
    try:
        seeded = await seed({s: stack.url(s) for s in SERVICES}, stack.settings)
        phases = Phases(stack, seeded, options, console)
        await phases.prepare()
        rounds = []
        for n in range(options.runs):
            done: dict[str, Any] = {}
            for name, phase in (
                ("ceiling_http", phases.http_ceiling),
                ("availability", phases.availability),
                # The tickets the reservations are made for.
                ("intake_create", phases.intake_creates),
            ):
                console.print(f"  round {n + 1}/{options.runs}: {name} …")
                done[name] = await phase()
            console.print(f"  round {n + 1}/{options.runs}: reserve_hot_part …")
            done["reserve_hot_part"] = await phases.reserve_hot_part(n)
            rounds.append(done)
        return rounds
    finally:
        console.print("stopping the stack …")
        await stack.stop()


if __name__ == "__main__":
    app()
