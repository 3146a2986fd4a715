"""The four services as real processes against a real database and broker, for e2e and fault tests.

Each stack gets its own database, topic prefix and free ports, so tests never see
each other's events. Children run under the same Supervisor as `fieldops up`:
a service killed with -9 is restarted by it, as in production.
"""

from __future__ import annotations

import asyncio
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
from rich.console import Console

from shared.auth import issue_dev_token
from shared.devstack.broker import create_topics
from shared.devstack.net import free_ports
from shared.devstack.processes import Supervisor
from shared.devstack.services import (
    REPO_ROOT,
    default_service_command,
    is_ready,
    run_migrations,
    service_env,
    start_services,
    wait_ready,
)
from shared.settings import SERVICES, Settings

# Short group timeouts: a killed consumer is replaced in ~5 s, not ~18 s (broker-notes.md).
TEST_ENV = {
    "FIELDOPS_ENVIRONMENT": "test",
    # Tests move the services' business clocks (advance_clock) instead of sleeping to a deadline.
    "FIELDOPS_CLOCK_CONTROL": "true",
    "FIELDOPS_KAFKA_SESSION_TIMEOUT_MS": "6000",
    "FIELDOPS_KAFKA_HEARTBEAT_INTERVAL_MS": "1000",
    "FIELDOPS_KAFKA_FETCH_MAX_WAIT_MS": "20",
    "FIELDOPS_KAFKA_REQUEST_TIMEOUT_MS": "8000",
    "FIELDOPS_RELAY_POLL_INTERVAL_S": "0.5",
    "FIELDOPS_LOG_JSON": "true",
    "FIELDOPS_DB_POOL_MAX": "10",
    # Short enough for a test to watch a stalled request being dropped, long enough that a
    # loaded machine does not drop a request whose head is merely late.
    "FIELDOPS_HTTP_HEADER_TIMEOUT_S": "3",
    "FIELDOPS_HTTP_BODY_TIMEOUT_S": "3",
}


@dataclass
class ServiceStack:
    database_url: str
    bootstrap: str
    log_dir: Path
    partitions: int = 3
    topic_prefix: str = field(default_factory=lambda: f"t{secrets.token_hex(4)}")
    ports: dict[str, int] = field(
        default_factory=lambda: dict(zip(SERVICES, free_ports(len(SERVICES)), strict=True))
    )
    # A key of the stack's own: the services have no default, and a published one is refused.
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    # Settings a test's services need besides TEST_ENV, e.g. an SMTP relay on loopback.
    extra_env: dict[str, str] = field(default_factory=dict)
    supervisor: Supervisor = field(init=False)

    def __post_init__(self) -> None:
        self.supervisor = Supervisor(
            console=Console(file=io.StringIO()),
            log_dir=self.log_dir,
            grace=3.0,
            backoff_first=0.2,
            backoff_max=2.0,
            # The fuzzing tests are synchronous: nothing would drain a pipe while one runs.
            to_log_only=True,
        )

    @property
    def settings(self) -> Settings:
        return Settings(
            database_url=self.database_url,
            kafka_bootstrap_servers=self.bootstrap,
            topic_prefix=self.topic_prefix,
            jwt_secret=self.jwt_secret,
        )

    def base_env(self) -> dict[str, str]:
        return service_env(
            database_url=self.database_url,
            bootstrap=self.bootstrap,
            topic_prefix=self.topic_prefix,
            partitions=self.partitions,
            extra={**TEST_ENV, "FIELDOPS_JWT_SECRET": self.jwt_secret, **self.extra_env},
        )

    def env(self, service: str) -> dict[str, str]:
        return {
            **self.base_env(),
            "FIELDOPS_SERVICE": service,
            "FIELDOPS_PORT": str(self.ports[service]),
        }

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    async def prepare(self) -> None:
        """Topics with their partition counts (auto-created ones would get 4), then migrations."""
        await create_topics(self.bootstrap, self.settings.all_topics(), self.partitions)
        await run_migrations(self.env("intake"))

    async def start(
        self, services: Iterable[str] = SERVICES, *, ready_timeout: float = 40.0
    ) -> None:
        services = list(services)
        await start_services(self.supervisor, self.base_env(), self.ports, services=services)
        await self.wait_ready(services, timeout=ready_timeout)

    async def ready(self, service: str) -> bool:
        return await is_ready(f"{self.url(service)}/readyz")

    async def wait_ready(
        self, services: Iterable[str] = SERVICES, *, timeout: float = 40.0
    ) -> None:
        await wait_ready(
            self.supervisor, {s: f"{self.url(s)}/readyz" for s in services}, timeout=timeout
        )

    async def start_replica(self, service: str, name: str, *, ready_timeout: float = 40.0) -> None:
        """A second process of `service`, under `name`: same database, topics and consumer group,
        a port of its own (`url(name)`, `advance_clock(name, ...)` reach it), and its business
        clock where the first one's is."""
        self.ports[name] = free_ports(1)[0]
        await self.supervisor.start(
            name,
            default_service_command(service),
            cwd=REPO_ROOT,
            restart=False,
            env={
                **self.base_env(),
                "FIELDOPS_SERVICE": service,
                "FIELDOPS_PORT": str(self.ports[name]),
            },
        )
        await self.wait_ready([name], timeout=ready_timeout)
        behind = await self.clock(service) - await self.clock(name)
        if behind.total_seconds() > 0:
            await self.advance_clock(name, behind.total_seconds())

    def kill(self, service: str) -> int:
        """kill -9, as a crash would; the supervisor restarts it. Returns the count of starts so far."""
        starts = self.supervisor[service].starts
        self.supervisor.kill(service)
        return starts

    async def stop(self) -> None:
        await self.supervisor.stop()

    async def advance_clock(self, service: str, seconds: float) -> datetime:
        """Move `service`'s business clock on by `seconds`; returns its new now."""
        async with self.client(service) as admin:
            response = await admin.post("/v1/ops/clock", json={"advance_s": seconds})
        response.raise_for_status()
        return datetime.fromisoformat(response.json()["now"])

    async def clock(self, service: str) -> datetime:
        async with self.client(service) as admin:
            response = await admin.get("/v1/ops/clock")
        response.raise_for_status()
        return datetime.fromisoformat(response.json()["now"])

    def token(self, sub: str, *scopes: str, vendor: str | None = None) -> str:
        return issue_dev_token(self.settings, sub, list(scopes), vendor=vendor)

    def client(
        self, service: str, sub: str = "test-admin", *scopes: str, **kwargs
    ) -> httpx.AsyncClient:
        token = self.token(sub, *(scopes or ("admin",)), vendor=kwargs.pop("vendor", None))
        return httpx.AsyncClient(
            base_url=self.url(service),
            headers={"Authorization": f"Bearer {token}"},
            timeout=kwargs.pop("timeout", 10.0),
            **kwargs,
        )


async def eventually(check, *, timeout: float = 5.0, interval: float = 0.05):
    """Poll `check` (async, returns a truthy value when done) until it passes or time runs out."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not true within {timeout} s: last result {result!r}")
        await asyncio.sleep(interval)
