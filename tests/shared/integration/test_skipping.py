"""What a consumer does with a record it cannot use: skip and count it, or dead-letter it.

A rolling deploy puts new event types, and types nobody here handles, on the topics a
service reads: those are skipped and counted. Only a record of a type we handle that
cannot be read is poison, and it goes to the dead-letter topic.
"""

import json
from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord, TopicPartition

from services.escalation.tickets.handlers import on_ticket_created
from shared.bus import make_producer
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope
from shared.events.intake import TicketCreated


@pytest.fixture
async def producer(settings) -> AsyncIterator[AIOKafkaProducer]:
    started = make_producer(settings)
    await started.start()
    yield started
    await started.stop()


@pytest.fixture
def consumer(settings, pool, metrics, producer) -> EventConsumer:
    # Handles ticket.created only, as escalation does among intake's events.
    return EventConsumer(
        settings,
        pool,
        producer,
        topics=[settings.topic("intake")],
        handlers={TicketCreated.type: on_ticket_created},
        metrics=metrics,
    )


def record(settings, offset: int, event_type: str, data: dict) -> ConsumerRecord:
    envelope = Envelope(type=event_type, source="/fieldops/test", subject="s", data=data)
    value = json.dumps(data).encode()
    return ConsumerRecord(
        topic=settings.topic("intake"),
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=b"s",
        value=value,
        checksum=None,
        serialized_key_size=1,
        serialized_value_size=len(value),
        headers=envelope.headers(),
    )


def counted(metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


async def dead_lettered(settings) -> list:
    reader = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False
    )
    await reader.start()
    try:
        partitions = [TopicPartition(settings.dlq("intake"), p) for p in range(3)]
        reader.assign(partitions)
        await reader.seek_to_beginning()
        batches = await reader.getmany(timeout_ms=2000)
        return [r for batch in batches.values() for r in batch]
    finally:
        await reader.stop()


async def test_a_type_the_catalogue_does_not_know_is_skipped_and_counted_not_dead_lettered(
    consumer, settings, metrics
):
    assert await consumer._admit(record(settings, 0, "ticket.teleported", {})) is None
    assert (
        counted(
            metrics, "fieldops_events_skipped_total", type="ticket.teleported", reason="unknown"
        )
        == 1
    )
    assert await dead_lettered(settings) == []


async def test_a_known_type_without_a_handler_here_is_skipped_and_counted(
    consumer, settings, metrics
):
    # sla.met is a real contract, but this consumer handles only ticket.created.
    assert await consumer._admit(record(settings, 0, "sla.met", {"anything": 1})) is None
    assert (
        counted(metrics, "fieldops_events_skipped_total", type="sla.met", reason="unhandled") == 1
    )
    assert await dead_lettered(settings) == []


async def test_a_handled_type_failing_validation_goes_to_the_dead_letter_topic(
    consumer, settings, metrics
):
    assert await consumer._admit(record(settings, 7, "ticket.created", {"ticket_id": "x"})) is None
    [poison] = await dead_lettered(settings)
    headers = {k: v.decode() for k, v in poison.headers}
    assert "is invalid" in headers["dlq_error"] and headers["dlq_offset"] == "7"
    assert (
        counted(metrics, "fieldops_events_skipped_total", type="ticket.created", reason="unknown")
        == 0
    )


async def test_a_handled_type_with_a_valid_payload_is_admitted(consumer, settings):
    admitted = await consumer._admit(record(settings, 0, "ticket.created", TicketCreated.example))
    assert admitted is not None and admitted[2] == TicketCreated.model_validate(
        TicketCreated.example
    )
