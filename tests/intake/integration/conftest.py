import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from shared.db import asyncpg_dsn, init_connection
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
