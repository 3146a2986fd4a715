"""A redelivered event is applied once: the inbox claim and the handler share a transaction."""

import uuid
from datetime import UTC, datetime

import pytest

from services.escalation.tickets.handlers import on_ticket_created
from shared.consumer import EventConsumer
from shared.events.intake import TicketCreated
from shared.outbox_rows import envelope_for

# What escalation opens for a ticket on no asset: response, on site and restore.
CLOCKS = 3


def ticket_created() -> TicketCreated:
    return TicketCreated(
        ticket_id=uuid.uuid4(),
        number="T-00000001",
        customer_id=uuid.uuid4(),
        priority="P2",
        category="host",
        channel="web",
        summary="Server fan alarm",
        reported_at=datetime.now(UTC),
        created_at=datetime.now(UTC),
    )


@pytest.fixture
def consumer(settings, pool, metrics) -> EventConsumer:
    escalation = settings.model_copy(update={"service": "escalation"})
    return EventConsumer(escalation, pool, producer=None, topics=[], handlers={}, metrics=metrics)


async def clocks_of(pool, ticket_id) -> int:
    return await pool.fetchval(
        "SELECT count(*) FROM escalation.clocks WHERE ticket_id = $1", ticket_id
    )


async def test_a_redelivered_event_is_applied_once(consumer, pool):
    event = ticket_created()
    envelope = envelope_for(event, "/fieldops/intake")
    assert await consumer.apply(envelope, event, on_ticket_created) == "applied"
    assert await consumer.apply(envelope, event, on_ticket_created) == "duplicate"
    assert await clocks_of(pool, event.ticket_id) == CLOCKS
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM escalation.inbox WHERE event_id = $1", envelope.id
        )
        == 1
    )


async def test_a_failing_handler_leaves_no_claim_so_the_retry_applies_it(consumer, pool):
    event = ticket_created()
    envelope = envelope_for(event, "/fieldops/intake")

    async def half_done_then_fails(event, envelope, uow):
        await on_ticket_created(event, envelope, uow)
        raise RuntimeError("crashed after writing")

    with pytest.raises(RuntimeError):
        await consumer.apply(envelope, event, half_done_then_fails)
    assert await clocks_of(pool, event.ticket_id) == 0
    assert await consumer.apply(envelope, event, on_ticket_created) == "applied"
    assert await clocks_of(pool, event.ticket_id) == CLOCKS


async def test_the_same_fact_under_a_new_event_id_does_not_double_the_clocks(consumer, pool):
    # A producer that crashed between publish and mark re-sends with the same id; but even a
    # re-emitted fact with a new id must not open a second set of clocks (unique per ticket and kind).
    event = ticket_created()
    await consumer.apply(envelope_for(event, "/fieldops/intake"), event, on_ticket_created)
    await consumer.apply(envelope_for(event, "/fieldops/intake"), event, on_ticket_created)
    assert await clocks_of(pool, event.ticket_id) == CLOCKS


def record_of(envelope, offset: int = 0):
    from aiokafka.structs import ConsumerRecord

    return ConsumerRecord(
        topic="t.intake",
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=envelope.subject.encode(),
        value=envelope.value(),
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=0,
        headers=envelope.headers(),
    )


async def test_a_fetched_batch_applies_each_event_once_even_with_repeats_inside_it(consumer, pool):
    events = [ticket_created() for _ in range(5)]
    envelopes = [envelope_for(e, "/fieldops/intake") for e in events]
    consumer.handlers = {"ticket.created": on_ticket_created}
    batch = [record_of(env, i) for i, env in enumerate(envelopes + envelopes[:2])]
    await consumer.process_batch(batch)
    await consumer.process_batch(batch)  # the whole fetch redelivered
    for event in events:
        assert await clocks_of(pool, event.ticket_id) == CLOCKS


async def test_one_failing_event_does_not_hold_back_its_batch_mates(consumer, pool):
    good, bad = ticket_created(), ticket_created()

    async def fails_for_bad(event, envelope, uow):
        if event.ticket_id == bad.ticket_id:
            raise RuntimeError("this one cannot be handled")
        await on_ticket_created(event, envelope, uow)

    dead = []

    async def dead_letter(record, error):
        dead.append(error)

    consumer.handlers = {"ticket.created": fails_for_bad}
    consumer._dead_letter = dead_letter
    consumer.settings = consumer.settings.model_copy(
        update={"consumer_max_attempts": 2, "consumer_retry_backoff_s": 0.01}
    )
    await consumer.process_batch(
        [record_of(envelope_for(e, "/fieldops/intake"), i) for i, e in enumerate((good, bad))]
    )
    assert await clocks_of(pool, good.ticket_id) == CLOCKS
    assert await clocks_of(pool, bad.ticket_id) == 0
    assert len(dead) == 1 and "cannot be handled" in dead[0]
