"""`python -m bench`: start a fresh stack, seed it, measure, print the table, write the JSON."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import signal
import time
from pathlib import Path
from typing import Annotated, Any

import psutil
import typer
from rich.console import Console

from bench.report import as_json, figures, print_table
from bench.run import Options, measure, measure_rules
from bench.seed import seed, seed_articles, seed_installed_base
from bench.stack import start_stack
from shared.devstack.binaries import BinaryNotFound
from shared.devstack.services import StackFailed
from shared.devstack.waiting import StartupTimeout
from shared.settings import SERVICES

app = typer.Typer(add_completion=False)


def _from_env(*names: str) -> str | None:
    return next((os.environ[n] for n in names if os.environ.get(n)), None)


@app.command()
def main(
    runs: Annotated[
        int, typer.Option(min=1, max=20, help="runs per figure; the figure is their median")
    ] = 3,
    seconds: Annotated[
        float, typer.Option(min=1, max=600, help="measured seconds per throughput run")
    ] = 8.0,
    warmup: Annotated[
        float, typer.Option(min=0, max=60, help="unmeasured seconds before each run")
    ] = 2.0,
    concurrency: Annotated[
        int, typer.Option(min=1, max=512, help="concurrent clients / connections")
    ] = 32,
    e2e_seconds: Annotated[
        float, typer.Option(min=1, max=600, help="seconds of paced ticket creation")
    ] = 30.0,
    e2e_rate: Annotated[
        float, typer.Option(min=1, max=2000, help="tickets per second in the end-to-end phase")
    ] = 100.0,
    engineers: Annotated[int, typer.Option(min=1, max=64, help="engineers whose phones poll")] = 4,
    poll_interval_ms: Annotated[
        float, typer.Option(min=5, max=1000, help="each phone's poll interval")
    ] = 20.0,
    long_poll_s: Annotated[
        int, typer.Option(min=0, max=9, help="phones long-poll this long; 0: poll instead")
    ] = 5,
    drain_seconds: Annotated[
        float, typer.Option(min=1, max=120, help="wait for late assignments")
    ] = 15.0,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="PostgreSQL server to create the bench database on (default: DATABASE_URL, else embedded)"
        ),
    ] = None,
    bootstrap: Annotated[
        str | None,
        typer.Option(
            help="Kafka bootstrap servers (default: KAFKA_BOOTSTRAP_SERVERS, else Tansu on SeaweedFS)"
        ),
    ] = None,
    broker_storage: Annotated[
        str,
        typer.Option(
            help="for the bench's own Tansu: s3 (durable, as `fieldops up`) or memory (to see what storage costs)"
        ),
    ] = "s3",
    out: Annotated[Path | None, typer.Option(help="write the figures as JSON here")] = None,
    state_dir: Annotated[
        Path, typer.Option(help="embedded PostgreSQL and SeaweedFS data, and logs")
    ] = Path(".fieldops/bench"),
    keep_database: Annotated[bool, typer.Option(help="keep the bench database afterwards")] = False,
    quick: Annotated[
        bool, typer.Option(help="smoke test: 1 run, 3 s runs, 5 s end-to-end")
    ] = False,
) -> None:
    """Measure fieldops against ceilings measured in the same run on this machine."""
    if quick:
        runs, seconds, warmup, e2e_seconds, drain_seconds = (
            1,
            3.0,
            1.0,
            5.0,
            min(drain_seconds, 10.0),
        )
    options = Options(
        runs=runs,
        seconds=seconds,
        warmup=warmup,
        concurrency=concurrency,
        e2e_seconds=e2e_seconds,
        e2e_rate=e2e_rate,
        poll_interval_ms=poll_interval_ms,
        long_poll_s=long_poll_s,
        drain_seconds=drain_seconds,
        settle_timeout=120.0,
    )
    console = Console(highlight=False)
    if not console.is_terminal:
        # Piped into a file or a CI log, Rich would fold the table into 80 columns.
        console = Console(highlight=False, width=170)
    database_url = database_url or _from_env("FIELDOPS_DATABASE_URL", "DATABASE_URL")
    bootstrap = bootstrap or _from_env(
        "FIELDOPS_KAFKA_BOOTSTRAP_SERVERS", "KAFKA_BOOTSTRAP_SERVERS"
    )
    try:
        result = asyncio.run(
            _bench(
                options,
                state_dir.resolve(),
                database_url,
                bootstrap,
                engineers,
                console,
                broker_storage=broker_storage,
            )
        )
    except (StackFailed, StartupTimeout, BinaryNotFound) as failure:
        console.print(f"[bold red]bench failed:[/] {failure}")
        raise typer.Exit(1) from None
    if out is not None:
        out.write_text(json.dumps(result, indent=2, default=str) + "\n")
        console.print(f"figures written to {out}")
    if result["verdicts"].get("reserve_hot_part_oversold") == "short":
        # A figure of a system that promises one unit twice is no figure: fail the run.
        console.print("[bold red]reserve_hot_part: a unit was promised twice (see above)[/]")
        raise typer.Exit(1)


async def _bench(
    options: Options,
    state_dir: Path,
    database_url: str | None,
    bootstrap: str | None,
    engineers: int,
    console: Console,
    *,
    broker_storage: str = "s3",
) -> dict[str, Any]:
    started = time.time()
    main_task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    # Ctrl-C or SIGTERM ends the measurement but still stops everything the bench started.
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, main_task.cancel)  # type: ignore[union-attr]
    console.print("[bold]starting a fresh stack[/] …")
    stack = await start_stack(
        state_dir, database_url=database_url, bootstrap=bootstrap, broker_storage=broker_storage
    )
    try:
        console.print(
            f"  database {stack.database_url}; broker {stack.bootstrap} ({stack.storage}); "
            f"topics {stack.topic_prefix}.*; logs {stack.log_dir}"
        )
        console.print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in stack.timings.items()))
        urls = {s: stack.url(s) for s in SERVICES}
        seeded = await seed(urls, stack.settings, engineers=engineers)
        seeded = await seed_installed_base(urls, stack.settings, seeded)
        await seed_articles(stack.database_url)
        raw = await measure(stack, seeded, options, console)
        raw["restarts"] = stack.restarts()
        died = [
            name
            for name, child in (stack.supervisor.children.items() if stack.supervisor else [])
            if child.pid is None
        ]
    finally:
        console.print("stopping the stack …")
        await stack.stop()
    raw.update(measure_rules(options, console))
    summary = figures(raw)
    date = time.strftime("%Y-%m-%d %H:%M %Z", time.localtime(started))
    title = (
        f"fieldops benchmark {date} — {psutil.cpu_count()} cores, {options.runs} run(s) × "
        f"{options.seconds:g} s, {options.concurrency} clients; e2e {options.e2e_rate:g}/s × "
        f"{options.e2e_seconds:g} s"
    )
    print_table(summary, console, title=title)
    if died:
        console.print(
            f"[bold red]processes that died during the bench:[/] {', '.join(died)}; see {stack.log_dir}"
        )
    return {
        "date": date,
        "machine": {
            "cores": psutil.cpu_count(),
            "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "stack": {
            "database": "given" if database_url else "embedded",
            "broker": stack.storage,
            "topic_prefix": stack.topic_prefix,
            "died": died,
            "timings_s": stack.timings,
        },
        "options": options.__dict__ | {"engineers": engineers},
        **as_json(summary),
        "raw": raw,
    }


if __name__ == "__main__":
    app()
