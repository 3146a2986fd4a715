"""The breach timer's command on real PostgreSQL, with the business clock moved, not waited for."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from services.escalation.clocks.commands import FireBreaches
from services.escalation.clocks.handlers import fire_breaches, on_ticket_created
from shared.clock import FrozenClock
from shared.db import UnitOfWork, create_pool
from shared.events.escalation import SlaBreached
from shared.events.intake import TicketCreated
from shared.migrations import migrate
from shared.outbox import envelope_for
from shared.settings import Settings

OPENED = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
async def settings(database_url: str) -> Settings:
    # Alembic runs its own event loop: give it a thread of its own.
    await asyncio.to_thread(migrate, Settings(database_url=database_url))
    return Settings(service="escalation", database_url=database_url)


@pytest.fixture
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    created = await create_pool(settings, max_size=2)
    yield created
    await created.close()


async def test_an_overdue_clock_is_breached_once_at_the_business_time(settings, pool):
    clock = FrozenClock(OPENED)
    event = TicketCreated(
        ticket_id=uuid.uuid4(),
        number="T-00000001",
        customer_id=uuid.uuid4(),
        priority="P1",
        category="host",
        channel="phone",
        summary="Disk failed",
        reported_at=OPENED,
        created_at=OPENED,
    )
    # One transaction, never committed, stands for several timer ticks (each tick is a unit of
    # work of its own, reading the clock once): the test leaves the database as it found it.
    async with UnitOfWork(pool, settings, clock=clock) as uow:
        await on_ticket_created(event, envelope_for(event, "/fieldops/intake"), uow)
        uow.now = OPENED + timedelta(minutes=29)
        assert await fire_breaches(FireBreaches(), uow) == 0
        uow.now = OPENED + timedelta(minutes=31)
        assert await fire_breaches(FireBreaches(), uow) == 1
        assert await fire_breaches(FireBreaches(), uow) == 0
        [(breached, _)] = uow.events
        assert isinstance(breached, SlaBreached) and breached.kind == "response"
        assert await uow.conn.fetchval(
            "SELECT breached_at FROM escalation.clocks WHERE ticket_id = $1 AND kind = 'response'",
            event.ticket_id,
        ) == OPENED + timedelta(minutes=31)


async def test_clocks_start_when_the_ticket_was_reported_not_when_it_was_posted(settings, pool):
    # IN-1: a ticket the call centre recorded offline at 09:00 and posted at 09:40 counts
    # from 09:00, so its 30-minute response clock is overdue the moment it arrives.
    reported = OPENED - timedelta(minutes=40)
    event = TicketCreated(
        ticket_id=uuid.uuid4(),
        number="T-00000002",
        customer_id=uuid.uuid4(),
        priority="P1",
        category="host",
        channel="phone",
        summary="Disk failed",
        reported_at=reported,
        created_at=OPENED,
    )
    async with UnitOfWork(pool, settings, clock=FrozenClock(OPENED)) as uow:
        await on_ticket_created(event, envelope_for(event, "/fieldops/intake"), uow)
        started, due = await uow.conn.fetchrow(
            "SELECT started_at, due_at FROM escalation.clocks WHERE ticket_id = $1 AND kind = 'response'",
            event.ticket_id,
        )
        assert started == reported and due == reported + timedelta(minutes=30)
        assert await fire_breaches(FireBreaches(), uow) == 1
