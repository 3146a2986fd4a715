"""The relay publishes every committed event once it is committed, in commit order per aggregate."""

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer

from shared.bus import make_producer, start_with_retry, stop_quietly
from shared.db import UnitOfWork
from shared.events.envelope import Envelope
from shared.events.inventory import StockReceived
from shared.outbox import OutboxRelay


def stock_event(part: str, n: int) -> StockReceived:
    return StockReceived(
        part_number=part,
        location_id=uuid.uuid4(),
        location_name="main",
        quantity=n,
        delivery_reference=f"DN-{uuid.uuid4().hex[:12]}",
        receipt_id=uuid.uuid4(),
        at=datetime.now(UTC),
    )


async def consume_all(settings, topic: str, expected: int, timeout: float = 15.0) -> list[Envelope]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        fetch_max_wait_ms=20,
    )
    await consumer.start()
    received: list[Envelope] = []
    try:
        async with asyncio.timeout(timeout):
            while len(received) < expected:
                for records in (await consumer.getmany(timeout_ms=200)).values():
                    received += [Envelope.from_record(r.headers, r.value) for r in records]
    finally:
        await consumer.stop()
    return received


async def run_relay(settings, metrics, *, schema: str):
    producer = await start_with_retry(make_producer(settings), what="test producer")
    relay = OutboxRelay(settings, producer, schema=schema, metrics=metrics)
    task = asyncio.create_task(relay.run())
    return relay, task, producer


async def stop_relay(task, producer):
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await stop_quietly(producer)


async def test_events_of_one_aggregate_arrive_in_the_order_they_were_committed(
    settings, pool, metrics
):
    parts = [f"P-{uuid.uuid4().hex[:6]}" for _ in range(4)]

    async def writer(part: str) -> None:
        for n in range(25):
            async with UnitOfWork(pool, settings) as uow:
                uow.publish(stock_event(part, n))
                await uow.commit()

    relay, task, producer = await run_relay(settings, metrics, schema="intake")
    try:
        # Writers interleave while the relay runs: ids commit out of order across aggregates.
        await asyncio.gather(*(writer(p) for p in parts))
        received = await consume_all(settings, settings.topic("inventory"), expected=100)
    finally:
        await stop_relay(task, producer)

    assert len(received) == 100
    for part in parts:
        assert [e.data["quantity"] for e in received if e.subject == part] == list(range(25))
    assert await pool.fetchval("SELECT count(*) FROM intake.outbox WHERE published_at IS NULL") == 0


async def test_a_rolled_back_transaction_publishes_nothing(settings, pool, metrics):
    part = f"P-{uuid.uuid4().hex[:6]}"
    with pytest.raises(RuntimeError):
        async with UnitOfWork(pool, settings) as uow:
            uow.publish(stock_event(part, 1))
            raise RuntimeError("the handler failed before commit")
    async with UnitOfWork(pool, settings) as uow:
        uow.publish(stock_event(part, 2))
        await uow.commit()

    relay, task, producer = await run_relay(settings, metrics, schema="intake")
    try:
        received = await consume_all(settings, settings.topic("inventory"), expected=1)
        await asyncio.sleep(0.5)  # time enough for a wrongly published extra event to show up
        received = await consume_all(settings, settings.topic("inventory"), expected=1)
    finally:
        await stop_relay(task, producer)
    assert [e.data["quantity"] for e in received if e.subject == part] == [2]


async def test_only_one_relay_per_schema_publishes(settings, pool, metrics):
    first, first_task, first_producer = await run_relay(settings, metrics, schema="intake")
    second, second_task, second_producer = await run_relay(settings, metrics, schema="intake")
    try:
        async with asyncio.timeout(5):
            while not (first.is_leader or second.is_leader):
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        assert [first.is_leader, second.is_leader].count(True) == 1
        leader_task = first_task if first.is_leader else second_task
        standby = second if first.is_leader else first
        # When the leader goes, the standby takes over.
        await stop_relay(leader_task, first_producer if first.is_leader else second_producer)
        async with asyncio.timeout(5):
            while not standby.is_leader:
                await asyncio.sleep(0.05)
    finally:
        for task, producer in ((first_task, first_producer), (second_task, second_producer)):
            await stop_relay(task, producer)
