import asyncio
import secrets
from collections.abc import AsyncIterator

import asyncpg
import pytest

from shared.db import create_pool
from shared.migrations import migrate
from shared.settings import Settings


@pytest.fixture(scope="module")
async def migrated(database_url: str) -> str:
    # Alembic runs its own event loop: give it a thread of its own.
    await asyncio.to_thread(migrate, Settings(database_url=database_url), ("dispatch",))
    return database_url


@pytest.fixture(scope="module")
async def dispatch_settings(migrated: str) -> Settings:
    return Settings(service="dispatch", database_url=migrated, jwt_secret=secrets.token_urlsafe(48))


@pytest.fixture(scope="module")
async def pool(dispatch_settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    created = await create_pool(dispatch_settings, max_size=4)
    yield created
    await created.close()
