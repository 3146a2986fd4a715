"""Shared fixtures: a PostgreSQL server, a broker on memory storage, a durable broker factory.

Thin on purpose: they call shared.devstack, which `fieldops up` uses as well.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from shared.devstack.broker import Tansu, start_tansu
from shared.devstack.postgres import (
    FAST_UNSAFE,
    create_fresh_database,
    drop_database,
    start_postgres,
)
from shared.devstack.seaweedfs import SeaweedFS, ensure_bucket, start_seaweedfs

if TYPE_CHECKING:
    # imported lazily below: the stack module is for e2e and fault tests only
    from tests.support.stack import ServiceStack

DurableBroker = Callable[..., Awaitable[Tansu]]


@pytest.fixture(scope="session")
async def pg_server_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A server to create databases on: FIELDOPS_TEST_DATABASE_URL, else an embedded one."""
    given = os.environ.get("FIELDOPS_TEST_DATABASE_URL")
    if given:
        yield given
        return
    server = await start_postgres(
        tmp_path_factory.mktemp("postgres") / "data", settings=FAST_UNSAFE
    )
    try:
        yield server.server_url
    finally:
        server.stop()


@pytest.fixture(scope="module")
async def database_url(pg_server_url: str) -> AsyncIterator[str]:
    """A database of the test module's own, dropped after it."""
    url = await create_fresh_database(pg_server_url)
    yield url
    await drop_database(pg_server_url, url)


@pytest.fixture
async def fresh_database_url(pg_server_url: str) -> AsyncIterator[str]:
    """A database of the test's own, for tests that cannot share one with their module."""
    url = await create_fresh_database(pg_server_url)
    yield url
    await drop_database(pg_server_url, url)


@pytest.fixture(scope="session")
async def broker(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """Bootstrap address of a Tansu on memory storage: fast, and gone with the session."""
    tansu = await start_tansu(log_path=tmp_path_factory.mktemp("tansu") / "tansu.log")
    try:
        yield tansu.bootstrap
    finally:
        tansu.stop()


@pytest.fixture(scope="session")
async def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[SeaweedFS]:
    store = await start_seaweedfs(tmp_path_factory.mktemp("seaweedfs") / "data")
    try:
        yield store
    finally:
        store.stop()


@pytest.fixture
async def durable_broker(seaweedfs: SeaweedFS, tmp_path: Path) -> AsyncIterator[DurableBroker]:
    """Start Tansu on s3:// storage of the test's own; `kill()` and `restart()` keep port and data.

    `await durable_broker(advertised_port=p)` advertises a proxy's port instead of the listener.
    """
    started: list[Tansu] = []

    async def start(*, port: int | None = None, advertised_port: int | None = None) -> Tansu:
        # A bucket per broker: brokers of different tests never see each other's topics.
        bucket = f"tansu-{secrets.token_hex(4)}"
        await ensure_bucket(seaweedfs.s3_endpoint, bucket)
        tansu = await start_tansu(
            port=port,
            advertised_port=advertised_port,
            storage=f"s3://{bucket}/",
            s3_endpoint=seaweedfs.s3_endpoint,
            log_path=tmp_path / f"tansu-{len(started)}.log",
        )
        started.append(tansu)
        return tansu

    yield start
    for tansu in started:
        tansu.stop()


@pytest.fixture(scope="module")
async def stack(
    database_url: str, broker: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ServiceStack]:
    """The four services as processes, ready, sharing one database and topic prefix for the module."""
    from tests.support.stack import ServiceStack

    services = ServiceStack(
        database_url=database_url, bootstrap=broker, log_dir=tmp_path_factory.mktemp("logs")
    )
    await services.prepare()
    try:
        await services.start()
        yield services
    finally:
        await services.stop()
