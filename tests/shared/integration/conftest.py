import asyncio
import secrets
from collections.abc import AsyncIterator

import asyncpg
import pytest

from shared.db import create_pool
from shared.devstack.broker import create_topics
from shared.metrics import Metrics
from shared.migrations import migrate
from shared.settings import Settings


@pytest.fixture(scope="module")
async def migrated(database_url: str) -> str:
    # Alembic runs its own event loop: give it a thread of its own.
    await asyncio.to_thread(migrate, Settings(database_url=database_url))
    return database_url


@pytest.fixture
async def settings(migrated: str, broker: str) -> Settings:
    """Intake's settings with a topic prefix of the test's own: a fresh topic per test."""
    chosen = Settings(
        service="intake",
        database_url=migrated,
        kafka_bootstrap_servers=broker,
        topic_prefix=f"it{secrets.token_hex(4)}",
        kafka_fetch_max_wait_ms=20,
        relay_poll_interval_s=0.2,
    )
    await create_topics(broker, chosen.all_topics(), 3)
    return chosen


@pytest.fixture
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    created = await create_pool(settings, max_size=5)
    yield created
    await created.close()


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()
