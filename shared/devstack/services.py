"""The four services as supervised processes: their environment, migrations, start and readiness.

One implementation for `fieldops up`, `make bench` and the process-level tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import httpx

from shared.devstack.net import LOOPBACK
from shared.devstack.processes import Supervisor
from shared.settings import SERVICES

REPO_ROOT = Path(__file__).resolve().parents[2]


class StackFailed(RuntimeError):
    """A part of the stack did not come up; the message says which and what to look at."""


def default_service_command(service: str) -> list[str]:
    return [sys.executable, "-m", "shared.cli", "serve", service]


def default_migrate_command() -> list[str]:
    return [sys.executable, "-m", "shared.cli", "migrate"]


def service_env(
    *,
    database_url: str,
    bootstrap: str,
    topic_prefix: str,
    partitions: int,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        # Both spellings: a DATABASE_URL in the caller's environment may name another database.
        FIELDOPS_DATABASE_URL=database_url,
        DATABASE_URL=database_url,
        FIELDOPS_KAFKA_BOOTSTRAP_SERVERS=bootstrap,
        KAFKA_BOOTSTRAP_SERVERS=bootstrap,
        FIELDOPS_TOPIC_PREFIX=topic_prefix,
        FIELDOPS_KAFKA_PARTITIONS=str(partitions),
        FIELDOPS_HOST=LOOPBACK,
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p),
        PYTHONUNBUFFERED="1",  # lines reach the console as they are written
    )
    env.setdefault("FIELDOPS_ENVIRONMENT", "development")
    env.update(extra or {})
    return env


async def run_migrations(
    env: Mapping[str, str], *, argv: Sequence[str] | None = None, timeout: float = 120.0
) -> None:
    argv = list(argv or default_migrate_command())
    process = await asyncio.create_subprocess_exec(
        *argv,
        env=dict(env),
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout)
    except (TimeoutError, asyncio.CancelledError):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()
        raise StackFailed(f"migrations did not finish within {timeout:.0f} s") from None
    if process.returncode != 0:
        text = output.decode(errors="replace").strip()
        raise StackFailed(
            f"migrations failed ({' '.join(argv)} exited {process.returncode}):\n{text[-4000:]}"
        )


async def start_services(
    supervisor: Supervisor,
    env: Mapping[str, str],
    ports: Mapping[str, int],
    *,
    services: Iterable[str] = SERVICES,
    command: Callable[[str], Sequence[str]] = default_service_command,
    restart: bool = True,
) -> None:
    for service in services:
        await supervisor.start(
            service,
            command(service),
            cwd=REPO_ROOT,
            restart=restart,
            env={**env, "FIELDOPS_SERVICE": service, "FIELDOPS_PORT": str(ports[service])},
        )


async def is_ready(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2.0) as http:
            return (await http.get(url)).status_code == 200
    except httpx.HTTPError:
        return False


async def wait_ready(supervisor: Supervisor, urls: Mapping[str, str], *, timeout: float) -> None:
    """Wait until every `urls[name]` answers 200; fail early when a process gave up."""
    pending = dict(urls)
    last: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2.0) as http:
        while pending:
            for name, url in list(pending.items()):
                child = supervisor.children.get(name)
                if child is not None and not child.restart and child.pid is None and child.starts:
                    raise StackFailed(f"{name} exited while starting:\n{child.tail(20)}")
                try:
                    response = await http.get(url)
                    last[name] = f"HTTP {response.status_code} {response.text[:200]}"
                    if response.status_code == 200:
                        del pending[name]
                except httpx.HTTPError as exc:
                    last[name] = repr(exc)
            if not pending:
                return
            if time.monotonic() > deadline:
                details = "\n".join(
                    f"- {n}: {last.get(n, 'no answer')}"
                    + (
                        f"; restarts {supervisor[n].restarts}; last output:\n{supervisor[n].tail(15) or '(none)'}"
                        if n in supervisor.children
                        else ""
                    )
                    for n in pending
                )
                raise StackFailed(
                    f"not ready after {timeout:.0f} s: {', '.join(pending)}\n{details}"
                )
            await asyncio.sleep(0.2)
