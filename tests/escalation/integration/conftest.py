"""Escalation's handlers on real PostgreSQL: each test in one transaction, never committed,
with the business clock moved by hand (each step reads `uow.now`, as each unit of work does)."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import pytest

from services.escalation.app import SPEC
from services.escalation.clocks.commands import FireClocks
from services.escalation.clocks.handlers import fire_clocks, ticket_sla
from services.escalation.ladder.commands import Acknowledge, FireLadders
from services.escalation.ladder.handlers import acknowledge, fire_ladders
from shared.clock import FrozenClock
from shared.db import UnitOfWork, create_pool
from shared.events.base import Event
from shared.events.intake import ContractRegistered, LadderContact, TicketCreated
from shared.migrations import migrate
from shared.outbox_rows import envelope_for
from shared.settings import Settings


@pytest.fixture(scope="module")
async def settings(database_url: str) -> Settings:
    # Alembic runs its own event loop: give it a thread of its own.
    await asyncio.to_thread(migrate, Settings(database_url=database_url), ("escalation",))
    return Settings(service="escalation", database_url=database_url)


@pytest.fixture(scope="module")
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    created = await create_pool(settings, max_size=3)
    yield created
    await created.close()


class World:
    """One uncommitted transaction standing for many units of work: the events each caused are
    read from `uow.events`, business time is moved with `at`."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def at(self, when: datetime) -> None:
        self.uow.now = when

    async def deliver(self, event: Event) -> None:
        envelope = envelope_for(event, "/fieldops/test")
        await SPEC.handlers[event.type](event, envelope, self.uow)

    async def tick(self) -> int:
        """Both timers, as often as they find work (a real tick runs again at once then)."""
        fired = 0
        while True:
            now = await fire_clocks(FireClocks(), self.uow) + await fire_ladders(
                FireLadders(), self.uow
            )
            if not now:
                return fired
            fired += now

    async def sla(self, ticket_id: uuid.UUID) -> dict[str, Any]:
        return await ticket_sla(self.uow, ticket_id)

    async def clock(self, ticket_id: uuid.UUID, kind: str) -> dict[str, Any]:
        return next(c for c in (await self.sla(ticket_id))["clocks"] if c["kind"] == kind)

    async def ack(self, ticket_id: uuid.UUID, by: str, **fields: Any) -> dict[str, Any]:
        return await acknowledge(Acknowledge(ticket_id=ticket_id, by=by, **fields), self.uow)

    def published(self, *types: str) -> list[Any]:
        return [e for e, _ in self.uow.events if not types or e.type in types]

    def forget(self) -> None:
        self.uow.events.clear()


@pytest.fixture
async def world(pool: asyncpg.Pool, settings: Settings) -> AsyncIterator[World]:
    async with UnitOfWork(
        pool, settings, clock=FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
    ) as uow:
        yield World(uow)


def ticket(reported_at: datetime, priority: str = "P3", **fields: Any) -> TicketCreated:
    return TicketCreated(
        **{
            "ticket_id": uuid.uuid4(),
            "number": "T-00000001",
            "customer_id": uuid.uuid4(),
            "priority": priority,
            "category": "network",
            "channel": "phone",
            "summary": "Core switch down",
            "reported_at": reported_at,
            "created_at": reported_at,
            "coverage": "5x8",
            "calendar": "cn-5x8",
        }
        | fields
    )


def contract(**fields: Any) -> ContractRegistered:
    return ContractRegistered(
        **{
            "contract_id": uuid.uuid4(),
            "customer_id": uuid.uuid4(),
            "coverage": "5x8",
            "emergency_onsite_7x24": False,
            "onsite_minutes": 360,
            "targets": {},
            "calendar": "cn-5x8",
            "warranty_start": date(2026, 1, 1),
            "warranty_end": date(2030, 12, 31),
            "ladder": [
                LadderContact(level=1, name="Li Na", email="li.na@example.com"),
                LadderContact(level=2, name="Zhao Lei", email="zl@example.com"),
            ],
            "registered_at": datetime(2026, 1, 1, tzinfo=UTC),
        }
        | fields
    )
