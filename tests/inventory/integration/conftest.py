import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from shared.db import UnitOfWork, create_pool
from shared.migrations import migrate
from shared.settings import Settings


@pytest.fixture(scope="module")
async def settings(database_url: str) -> Settings:
    # Alembic runs its own event loop: give it a thread of its own.
    await asyncio.to_thread(migrate, Settings(database_url=database_url))
    return Settings(service="inventory", database_url=database_url)


@pytest.fixture
async def uow(settings: Settings) -> AsyncIterator[UnitOfWork]:
    pool: asyncpg.Pool = await create_pool(settings, max_size=1)
    # Never committed: each test leaves the database as it found it.
    async with UnitOfWork(pool, settings) as unit:
        yield unit
    await pool.close()
