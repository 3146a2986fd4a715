"""`python -m bench.knowledge`: the `knowledge_search` figure alone, with the bench's own parts.

The same stack (bench.stack), the same 10,000 generated articles (bench.seed), the same phase
and load generator (bench.run, bench.loadgen) as `make bench`, without the other phases: to
measure a change to search in a minute rather than in the whole bench's ten. The broker keeps
its events in memory by default, since searching publishes nothing.
"""

from __future__ import annotations

import asyncio
import json
import statistics
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from bench.run import KNOWLEDGE_CLIENTS, Options, Phases
from bench.seed import Seed, seed_articles
from bench.stack import start_stack
from shared.auth import issue_dev_token

app = typer.Typer(add_completion=False)


@app.command()
def main(
    runs: Annotated[int, typer.Option(min=1, max=20, help="measured runs")] = 3,
    seconds: Annotated[float, typer.Option(min=1, max=120, help="measured seconds per run")] = 8.0,
    warmup: Annotated[float, typer.Option(min=0, max=30, help="unmeasured seconds first")] = 2.0,
    database_url: Annotated[
        str | None, typer.Option(help="PostgreSQL server to use (default: embedded)")
    ] = None,
    broker_storage: Annotated[str, typer.Option(help="memory or s3")] = "memory",
    state_dir: Annotated[Path, typer.Option(help="embedded PostgreSQL data and logs")] = Path(
        ".fieldops/bench"
    ),
    out: Annotated[Path | None, typer.Option(help="write every run's figures as JSON here")] = None,
) -> None:
    options = Options.one_phase(runs, seconds, warmup, KNOWLEDGE_CLIENTS)
    console = Console(highlight=False)
    results = asyncio.run(
        _measure(options, state_dir.resolve(), database_url, broker_storage, console)
    )
    for n, r in enumerate(results, 1):
        console.print(
            f"run {n}: {r['rps']} req/s, p50 {r['p50_ms']} / p90 {r['p90_ms']} / p99 {r['p99_ms']} "
            f"/ max {r['max_ms']} ms, errors {r['errors'] or 0}; machine {r.get('machine_busy_pct')} % "
            f"busy, generator {r.get('generator_cpu_pct')} %, watched {r.get('watched_cpu_pct')}, "
            f"others {r.get('unaccounted_cpu_pct')} %"
        )
    p99 = [r["p99_ms"] for r in results]
    console.print(f"p99 median {statistics.median(p99)} ms (min {min(p99)}, max {max(p99)})")
    if out is not None:
        out.write_text(json.dumps(results, indent=2) + "\n")


async def _measure(
    options: Options,
    state_dir: Path,
    database_url: str | None,
    broker_storage: str,
    console: Console,
) -> list[dict[str, Any]]:
    console.print("starting a fresh stack …")
    stack = await start_stack(
        state_dir, database_url=database_url, bootstrap=None, broker_storage=broker_storage
    )
    try:
        console.print("seeding 10,000 articles …")
        await seed_articles(stack.database_url)
        token = issue_dev_token(
            stack.settings, "bench-call-centre", ["tickets:write", "tickets:read"]
        )
        phases = Phases(stack, Seed([], [], [], token), options, console)
        await phases.prepare()
        results = []
        for n in range(options.runs):
            console.print(f"  run {n + 1}/{options.runs}: knowledge_search …")
            results.append(await phases.knowledge_search())
        return results
    finally:
        console.print("stopping the stack …")
        await stack.stop()


if __name__ == "__main__":
    app()
