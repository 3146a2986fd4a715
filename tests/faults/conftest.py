"""Fault tests: the four services as processes, a fault injected mid-burst, then reconciliation.

Most tests share one `rig` (starting four services costs 10-20 s on two cores): the services
reach both the broker and PostgreSQL through TCP proxies the tests control, so the same stack
serves kills, cuts, poison and redelivery. Each test works on a customer of its own and the
reconciliation counts per customer, so the tests do not see each other's tickets. A test that
needs another broker or database (durable storage, an embedded server to kill) uses `make_stack`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from shared.devstack.broker import Tansu, start_tansu
from shared.devstack.net import free_port
from shared.devstack.postgres import create_fresh_database, drop_database
from tests.support.callcentre import Ledger, new_customer, new_engineer
from tests.support.reconcile import Convergence, reconcile
from tests.support.stack import ServiceStack
from tests.support.tcp_proxy import TcpProxy

MakeStack = Callable[..., Awaitable[ServiceStack]]


def via(url: str, port: int) -> str:
    """The same database URL, through 127.0.0.1:`port`."""
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    return urlunsplit(
        parts._replace(netloc=f"{userinfo}@127.0.0.1:{port}" if userinfo else f"127.0.0.1:{port}")
    )


@dataclass
class Rig:
    stack: ServiceStack
    broker_proxy: TcpProxy
    database_proxy: TcpProxy
    database_url: str  # direct, for the reconciliation and snapshots; the services use the proxy
    tansu: Tansu

    async def fresh(self) -> str:
        """Links restored, every service running and ready; returns a customer of the test's own.

        Undoes whatever an earlier test on the rig may have left behind when it failed half-way.
        """
        await self.broker_proxy.restore()
        await self.database_proxy.restore()
        stopped = [
            name for name, child in self.stack.supervisor.children.items() if child.task is None
        ]
        if stopped:
            await self.stack.start(stopped)
        await self.stack.wait_ready(timeout=60)
        # An engineer of the test's own too: dispatch sends no one past their capacity, and
        # the rig's tests together create more tickets than one engineer may hold.
        await new_engineer(self.stack)
        return await new_customer(self.stack)

    async def reconcile(self, ledger: Ledger, customer_id: str, **kwargs) -> Convergence:
        return await reconcile(
            self.stack, ledger, customer_id, database_url=self.database_url, **kwargs
        )


@pytest.fixture(scope="package")
async def rig(pg_server_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Rig]:
    root = tmp_path_factory.mktemp("faults")
    database_url = await create_fresh_database(pg_server_url)
    database_proxy = await TcpProxy(urlsplit(database_url).port or 5432).start()
    listener = free_port()
    broker_proxy = await TcpProxy(listener).start()
    # Tansu advertises the proxy: every client connection, first or reconnect, passes it.
    tansu = await start_tansu(
        port=listener, advertised_port=broker_proxy.port, log_path=root / "tansu.log"
    )
    stack = ServiceStack(
        database_url=via(database_url, database_proxy.port),
        bootstrap=broker_proxy.address,
        log_dir=root / "logs",
    )
    try:
        await stack.prepare()
        await stack.start()
        await new_engineer(stack)
        yield Rig(stack, broker_proxy, database_proxy, database_url, tansu)
    finally:
        await stack.stop()
        await broker_proxy.stop()
        await database_proxy.stop()
        tansu.stop()
        await drop_database(pg_server_url, database_url)


@pytest.fixture
async def make_stack(tmp_path: Path) -> AsyncIterator[MakeStack]:
    """Start the four services on a database and broker of the test's choosing, with an engineer
    who can take every ticket the bursts create; stopped after the test."""
    stacks: list[ServiceStack] = []

    async def make(*, database_url: str, bootstrap: str) -> ServiceStack:
        stack = ServiceStack(
            database_url=database_url, bootstrap=bootstrap, log_dir=tmp_path / f"logs-{len(stacks)}"
        )
        stacks.append(stack)
        await stack.prepare()
        await stack.start()
        await new_engineer(stack)
        return stack

    yield make
    for stack in stacks:
        await stack.stop()
