import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from shared.db import asyncpg_dsn, create_pool, init_connection
from shared.migrations import migrate
from shared.settings import Settings


@pytest.fixture(scope="module")
async def migrated(database_url: str) -> str:
    # Alembic runs its own event loop: give it a thread of its own.
    await asyncio.to_thread(migrate, Settings(database_url=database_url), ("intake",))
    return database_url


@pytest.fixture
async def conn(migrated: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection inside a transaction that the test never commits: a rollback per test."""
    connection = await asyncpg.connect(asyncpg_dsn(migrated))
    await init_connection(connection)
    transaction = connection.transaction()
    await transaction.start()
    try:
        yield connection
    finally:
        await transaction.rollback()
        await connection.close()


@pytest.fixture(scope="module")
async def intake_settings(migrated: str) -> Settings:
    return Settings(service="intake", database_url=migrated)


@pytest.fixture(scope="module")
async def pool(intake_settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    created = await create_pool(intake_settings, max_size=3)
    yield created
    await created.close()
