import asyncio
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.devstack.broker import create_topics, kafka_answers


async def test_a_record_produced_on_memory_storage_comes_back_from_the_partition_it_was_sent_to(
    broker: str,
) -> None:
    topic = f"devstack.{uuid.uuid4().hex[:8]}"
    await create_topics(broker, [topic], partitions=3)
    producer = AIOKafkaProducer(bootstrap_servers=broker, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"hello", key=b"k", partition=2)
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(bootstrap_servers=broker, fetch_max_wait_ms=50)
    await consumer.start()
    try:
        assert consumer.partitions_for_topic(topic) == {0, 1, 2}
        partition = TopicPartition(topic, 2)
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        record = await asyncio.wait_for(consumer.getone(), 10)
    finally:
        await asyncio.wait_for(consumer.stop(), 5)
    assert (record.value, record.partition, record.offset) == (b"hello", 2, 0)


async def test_creating_topics_that_exist_already_is_not_an_error(broker: str) -> None:
    topic = f"devstack.{uuid.uuid4().hex[:8]}"
    await create_topics(broker, [topic], partitions=2)
    await create_topics(broker, [topic, topic], partitions=2)


async def test_the_broker_answers_kafka_requests_on_its_listener(broker: str) -> None:
    host, port = broker.split(":")
    assert await kafka_answers(host, int(port))
