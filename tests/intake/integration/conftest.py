import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from shared.db import create_pool
from shared.migrations import migrate
from shared.settings import Settings


@pytest.fixture(scope="module")
async def intake_settings(database_url: str) -> Settings:
    settings = Settings(service="intake", database_url=database_url)
    # Alembic runs its own event loop: give it a thread of its own.
    await asyncio.to_thread(migrate, settings, ("intake",))
    return settings


@pytest.fixture(scope="module")
async def pool(intake_settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    created = await create_pool(intake_settings, max_size=3)
    yield created
    await created.close()
