"""A fresh fieldops stack for one benchmark: its own database, topic prefix and ports.

Built from the devstack's parts (shared/devstack) the way `fieldops up` builds its stack, with
three differences: a new database and topic prefix every run, so that runs never see each
other's tickets or events; free ports for everything, so that a running `fieldops up` is left
alone; and a bare HTTP app beside the services, for the HTTP ceiling.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
from rich.console import Console

from shared.devstack.broker import Tansu, create_topics, start_tansu
from shared.devstack.net import LOOPBACK, free_ports
from shared.devstack.postgres import (
    EmbeddedPostgres,
    create_fresh_database,
    drop_database,
    start_postgres,
)
from shared.devstack.processes import Supervisor
from shared.devstack.seaweedfs import SeaweedFS, start_seaweedfs
from shared.devstack.services import (
    run_migrations,
    service_env,
    start_services,
    wait_ready,
)
from shared.settings import SERVICES, Settings

BARE_HTTP = "bare-http"


@dataclass
class BenchStack:
    database_url: str
    server_url: str
    bootstrap: str
    topic_prefix: str
    ports: dict[str, int]
    log_dir: Path
    env: dict[str, str]
    supervisor: Supervisor | None = None
    postgres: EmbeddedPostgres | None = None
    seaweedfs: SeaweedFS | None = None
    tansu: Tansu | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        """What the services were started with (the same secret), for the bench's own tokens."""
        return Settings(topic_prefix=self.topic_prefix, jwt_secret=self.env["FIELDOPS_JWT_SECRET"])

    def url(self, name: str) -> str:
        return f"http://{LOOPBACK}:{self.ports[name]}"

    @property
    def storage(self) -> str:
        if self.tansu is None:
            return f"given broker {self.bootstrap}"
        return f"Tansu {self.tansu.storage}" + (" on SeaweedFS" if self.seaweedfs else "")

    def restarts(self) -> dict[str, int]:
        if self.supervisor is None:
            return {}
        return {name: child.restarts for name, child in self.supervisor.children.items()}

    async def stop(self, *, keep_database: bool = False) -> None:
        if self.supervisor is not None:
            await self.supervisor.stop(grace=3.0)
        if not keep_database:
            with contextlib.suppress(Exception):
                await drop_database(self.server_url, self.database_url)
        infra = [s for s in (self.tansu, self.postgres, self.seaweedfs) if s is not None]
        await asyncio.gather(*(asyncio.to_thread(s.stop, 5.0) for s in infra))


async def start_stack(
    state_dir: Path,
    *,
    database_url: str | None,
    bootstrap: str | None,
    broker_storage: str = "s3",
    ready_timeout: float = 90.0,
) -> BenchStack:
    """Start everything and return once every service answers /readyz with 200."""
    run_id = time.strftime("%Y%m%d_%H%M%S") + "_" + secrets.token_hex(3)
    log_dir = state_dir / "logs" / run_id
    log_dir.mkdir(parents=True, exist_ok=True)
    postgres: EmbeddedPostgres | None = None
    seaweedfs: SeaweedFS | None = None
    tansu: Tansu | None = None
    timings: dict[str, float] = {}

    async def database() -> tuple[str, str]:
        nonlocal postgres
        began = time.monotonic()
        server_url = database_url
        if server_url is None:
            postgres = await start_postgres(
                state_dir / "postgres", log_path=log_dir / "postgres.log"
            )
            server_url = postgres.server_url
        url = await create_fresh_database(server_url, prefix="fieldops_bench")
        timings["database"] = time.monotonic() - began
        return server_url, url

    async def broker() -> str:
        nonlocal seaweedfs, tansu
        if bootstrap is not None:
            return bootstrap
        began = time.monotonic()
        if broker_storage == "memory":
            # The same broker without its durable storage: shows what storage costs, nothing more.
            tansu = await start_tansu(log_path=log_dir / "tansu.log")
            timings["broker"] = time.monotonic() - began
            return tansu.bootstrap
        seaweedfs = await start_seaweedfs(
            state_dir / "seaweedfs", log_path=log_dir / "seaweedfs.log"
        )
        tansu = await start_tansu(
            storage=f"s3://{seaweedfs.bucket}/",
            s3_endpoint=seaweedfs.s3_endpoint,
            log_path=log_dir / "tansu.log",
        )
        timings["broker"] = time.monotonic() - began
        return tansu.bootstrap

    try:
        (server_url, url), kafka = await asyncio.gather(database(), broker())
    except BaseException:
        for part in (tansu, seaweedfs, postgres):
            if part is not None:
                await asyncio.to_thread(part.stop, 5.0)
        raise
    # A topic prefix of its own: a run never reads another run's events, even on a shared broker.
    settings = Settings(topic_prefix=f"bench_{run_id}")
    names = [*SERVICES, BARE_HTTP]
    stack = BenchStack(
        database_url=url,
        server_url=server_url,
        bootstrap=kafka,
        topic_prefix=settings.topic_prefix,
        ports=dict(zip(names, free_ports(len(names)), strict=True)),
        log_dir=log_dir,
        # A key of the run's own: the services have no default, and a published one is refused.
        env=service_env(
            database_url=url,
            bootstrap=kafka,
            topic_prefix=settings.topic_prefix,
            partitions=settings.kafka_partitions,
            extra={
                "FIELDOPS_JWT_SECRET": secrets.token_urlsafe(48),
                # availability_rps is vendor tokens at full speed: a rate no two cores reach,
                # so each call is counted (its cost is in the figure) and none refused. Per
                # second: the moving window keeps one entry per call it counts.
                "FIELDOPS_VENDOR_RATE_LIMIT": "20000/second",
            },
        ),
        postgres=postgres,
        seaweedfs=seaweedfs,
        tansu=tansu,
        timings=timings,
    )
    try:
        began = time.monotonic()
        await create_topics(kafka, settings.all_topics(), settings.kafka_partitions)
        timings["topics"] = time.monotonic() - began
        began = time.monotonic()
        await run_migrations(stack.env)
        timings["migrations"] = time.monotonic() - began
        began = time.monotonic()
        await _start_processes(stack)
        urls = {s: f"{stack.url(s)}/readyz" for s in SERVICES} | {
            BARE_HTTP: f"{stack.url(BARE_HTTP)}/healthz"
        }
        await wait_ready(stack.supervisor, urls, timeout=ready_timeout)
        timings["services"] = time.monotonic() - began
    except BaseException:
        await stack.stop()
        raise
    return stack


async def _start_processes(stack: BenchStack) -> None:
    # The supervisor's console would interleave service logs with the bench's table: files only.
    quiet = Console(file=open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the supervisor
    stack.supervisor = Supervisor(console=quiet, log_dir=stack.log_dir, to_log_only=True)
    # A service that dies mid-run would make its figure meaningless: report it, don't hide it.
    await start_services(stack.supervisor, stack.env, stack.ports, restart=False)
    await stack.supervisor.start(
        BARE_HTTP,
        [sys.executable, "-m", "bench.bare_app", "--port", str(stack.ports[BARE_HTTP])],
        env=stack.env,
        restart=False,
    )


async def postmaster_pid(database_url: str) -> int | None:
    """The PostgreSQL server's main process, when it runs on this machine (for CPU accounting)."""
    if urlsplit(database_url).hostname not in (LOOPBACK, "localhost"):
        return None
    import psutil

    from shared.db import asyncpg_dsn

    conn = await asyncpg.connect(asyncpg_dsn(database_url), timeout=5)
    try:
        backend = await conn.fetchval("SELECT pg_backend_pid()")
        return psutil.Process(backend).ppid()
    except psutil.Error:
        return None
    finally:
        await conn.close()
