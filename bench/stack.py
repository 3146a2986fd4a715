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
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
from rich.console import Console

from shared.devstack.broker import Tansu, create_topics, start_tansu
from shared.devstack.net import LOOPBACK, free_ports
from shared.devstack.postgres import EmbeddedPostgres, create_fresh_database, drop_database, start_postgres
from shared.devstack.processes import Supervisor
from shared.devstack.seaweedfs import SeaweedFS, start_seaweedfs
from shared.settings import SERVICES, Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
BARE_HTTP = "bare-http"


class StackFailed(RuntimeError):
    """The stack did not come up; the message says which part and where its log is."""


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

    def url(self, name: str) -> str:
        return f"http://{LOOPBACK}:{self.ports[name]}"

    @property
    def storage(self) -> str:
        if self.tansu is None:
            return f"given broker {self.bootstrap}"
        return f"Tansu {self.tansu.storage} on SeaweedFS"

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
            postgres = await start_postgres(state_dir / "postgres", log_path=log_dir / "postgres.log")
            server_url = postgres.server_url
        url = await create_fresh_database(server_url, prefix="fieldops_bench")
        timings["database"] = time.monotonic() - began
        return server_url, url

    async def broker() -> str:
        nonlocal seaweedfs, tansu
        if bootstrap is not None:
            return bootstrap
        began = time.monotonic()
        seaweedfs = await start_seaweedfs(state_dir / "seaweedfs", log_path=log_dir / "seaweedfs.log")
        tansu = await start_tansu(storage=f"s3://{seaweedfs.bucket}/", s3_endpoint=seaweedfs.s3_endpoint,
                                  log_path=log_dir / "tansu.log")
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
        database_url=url, server_url=server_url, bootstrap=kafka, topic_prefix=settings.topic_prefix,
        ports=dict(zip(names, free_ports(len(names)), strict=True)), log_dir=log_dir,
        env=_service_env(url, kafka, settings), postgres=postgres, seaweedfs=seaweedfs, tansu=tansu,
        timings=timings,
    )
    try:
        began = time.monotonic()
        await create_topics(kafka, settings.all_topics(), settings.kafka_partitions)
        timings["topics"] = time.monotonic() - began
        began = time.monotonic()
        await _migrate(stack.env, log_dir / "migrate.log")
        timings["migrations"] = time.monotonic() - began
        began = time.monotonic()
        await _start_processes(stack)
        await _wait_ready(stack, timeout=ready_timeout)
        timings["services"] = time.monotonic() - began
    except BaseException:
        await stack.stop()
        raise
    return stack


def _service_env(database_url: str, bootstrap: str, settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    # Both spellings: a DATABASE_URL in the caller's environment names the server, not our database.
    env.update(
        FIELDOPS_DATABASE_URL=database_url, DATABASE_URL=database_url,
        FIELDOPS_KAFKA_BOOTSTRAP_SERVERS=bootstrap, KAFKA_BOOTSTRAP_SERVERS=bootstrap,
        FIELDOPS_TOPIC_PREFIX=settings.topic_prefix,
        FIELDOPS_KAFKA_PARTITIONS=str(settings.kafka_partitions),
        FIELDOPS_HOST=LOOPBACK,
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p),
        PYTHONUNBUFFERED="1",
    )
    env.setdefault("FIELDOPS_ENVIRONMENT", "development")
    return env


async def _migrate(env: dict[str, str], log_path: Path, timeout: float = 120.0) -> None:
    with open(log_path, "wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "shared.cli", "migrate", env=env, stdout=log, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code = await asyncio.wait_for(process.wait(), timeout)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
            raise StackFailed(f"migrations did not finish within {timeout:.0f} s (log: {log_path})") from None
    if code != 0:
        raise StackFailed(f"migrations exited {code}:\n{log_path.read_text(errors='replace')[-3000:]}")


async def _start_processes(stack: BenchStack) -> None:
    # The supervisor's console would interleave service logs with the bench's table: files only.
    quiet = Console(file=open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the supervisor
    stack.supervisor = Supervisor(console=quiet, log_dir=stack.log_dir)
    for service in SERVICES:
        await stack.supervisor.start(
            # --port as well as FIELDOPS_PORT: `serve` passes its own --port (None when absent) to
            # Settings, which then overrides FIELDOPS_PORT, and uvicorn binds the default port.
            service, [sys.executable, "-m", "shared.cli", "serve", service, "--port", str(stack.ports[service])],
            env={**stack.env, "FIELDOPS_SERVICE": service, "FIELDOPS_PORT": str(stack.ports[service])},
            # A service that dies mid-run would make its figure meaningless: report it, don't hide it.
            restart=False,
        )
    await stack.supervisor.start(
        BARE_HTTP, [sys.executable, "-m", "bench.bare_app", "--port", str(stack.ports[BARE_HTTP])],
        env=stack.env, restart=False,
    )


async def _wait_ready(stack: BenchStack, *, timeout: float) -> None:
    assert stack.supervisor is not None
    pending = {s: f"{stack.url(s)}/readyz" for s in SERVICES}
    pending[BARE_HTTP] = f"{stack.url(BARE_HTTP)}/healthz"
    last: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2.0) as http:
        while pending:
            for name, url in list(pending.items()):
                if stack.supervisor[name].pid is None:
                    raise StackFailed(f"{name} exited while starting:\n{stack.supervisor[name].tail(20)}")
                try:
                    response = await http.get(url)
                    last[name] = f"HTTP {response.status_code} {response.text[:200]}"
                    if response.status_code == 200:
                        del pending[name]
                except httpx.HTTPError as exc:
                    last[name] = repr(exc)
            if pending and time.monotonic() > deadline:
                raise StackFailed("not ready after {:.0f} s: {}".format(
                    timeout, "; ".join(f"{n}: {last.get(n, 'no answer')}" for n in pending)))
            await asyncio.sleep(0.25)


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
