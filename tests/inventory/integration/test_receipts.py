"""Inventory's stores on real PostgreSQL: driver errors come out as named refusals, and a
refused receipt leaves nothing behind."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.inventory.parts.commands import RegisterPart
from services.inventory.parts.handlers import register_part
from services.inventory.parts.rules import PartExists, PartNotFound
from services.inventory.stock.commands import ReceiveStock
from services.inventory.stock.handlers import receive_stock, stock_levels
from services.inventory.stock.rules import StockCounterFull
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


def part_number() -> str:
    return f"PN-{uuid.uuid4().hex[:12]}"


async def test_a_part_number_registered_twice_is_refused(uow):
    command = RegisterPart(part_number(), "hp", "Fan module")
    await register_part(uow, command)
    with pytest.raises(PartExists):
        async with uow.conn.transaction():
            await register_part(uow, command)


async def test_a_receipt_for_an_unknown_part_is_refused(uow):
    with pytest.raises(PartNotFound):
        async with uow.conn.transaction():
            await receive_stock(uow, ReceiveStock(part_number(), "main", 3))


async def test_receipts_add_up_and_an_overflowing_one_leaves_no_receipt(uow):
    part = part_number()
    await register_part(uow, RegisterPart(part, "hp", "Fan module"))
    receipt, [event] = await receive_stock(uow, ReceiveStock(part, "main", 1_000_000))
    assert (receipt["received_at"], event.received_at) == (uow.now, uow.now)
    await uow.conn.execute(
        "UPDATE inventory.stock SET on_hand = 2147483000 WHERE part_number = $1", part
    )
    with pytest.raises(StockCounterFull):
        async with uow.conn.transaction():
            await receive_stock(uow, ReceiveStock(part, "main", 1_000))
    assert (
        await uow.conn.fetchval(
            "SELECT count(*) FROM inventory.receipts WHERE part_number = $1", part
        )
        == 1
    )
    [level] = await stock_levels(uow, part)
    assert level.on_hand == 2147483000
