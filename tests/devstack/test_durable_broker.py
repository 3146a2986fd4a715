import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.devstack.broker import create_topics

pytestmark = pytest.mark.faults


async def test_a_durable_broker_keeps_an_acknowledged_record_across_kill_9_and_restart(
    durable_broker,
) -> None:
    tansu = await durable_broker()
    topic = f"durable.{uuid.uuid4().hex[:8]}"
    await create_topics(tansu.bootstrap, [topic], partitions=2)
    producer = AIOKafkaProducer(bootstrap_servers=tansu.bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"survives", partition=1)
    finally:
        await producer.stop()

    port = tansu.port
    tansu.kill()
    assert tansu.pid is None
    await tansu.restart()
    assert tansu.port == port and tansu.pid is not None

    consumer = AIOKafkaConsumer(bootstrap_servers=tansu.bootstrap, fetch_max_wait_ms=50)
    await consumer.start()
    try:
        assert consumer.partitions_for_topic(topic) == {0, 1}
        partition = TopicPartition(topic, 1)
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        record = await asyncio.wait_for(consumer.getone(), 15)
    finally:
        await asyncio.wait_for(consumer.stop(), 5)
    assert (record.value, record.offset) == (b"survives", 0)
