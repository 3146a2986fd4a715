"""A redelivered event is applied once: the inbox claim and the handler share a transaction."""

import uuid
from datetime import UTC, datetime

import pytest

from services.escalation.handlers import on_ticket_created
from shared.consumer import EventConsumer
from shared.events.contracts import TicketCreated
from shared.outbox import envelope_for


def ticket_created() -> TicketCreated:
    return TicketCreated(ticket_id=uuid.uuid4(), number="T-00000001", customer_id=uuid.uuid4(), priority="P2",
                         category="host", channel="web", summary="Server fan alarm", created_at=datetime.now(UTC))


@pytest.fixture
def consumer(settings, pool, metrics) -> EventConsumer:
    escalation = settings.model_copy(update={"service": "escalation"})
    return EventConsumer(escalation, pool, producer=None, topics=[], handlers={}, metrics=metrics)


async def clocks_of(pool, ticket_id) -> int:
    return await pool.fetchval("SELECT count(*) FROM escalation.clocks WHERE ticket_id = $1", ticket_id)


async def test_a_redelivered_event_is_applied_once(consumer, pool):
    event = ticket_created()
    envelope = envelope_for(event, "/fieldops/intake")
    assert await consumer.apply(envelope, event, on_ticket_created) == "applied"
    assert await consumer.apply(envelope, event, on_ticket_created) == "duplicate"
    assert await clocks_of(pool, event.ticket_id) == 2
    assert await pool.fetchval("SELECT count(*) FROM escalation.inbox WHERE event_id = $1", envelope.id) == 1


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
    assert await clocks_of(pool, event.ticket_id) == 2


async def test_the_same_fact_under_a_new_event_id_does_not_double_the_clocks(consumer, pool):
    # A producer that crashed between publish and mark re-sends with the same id; but even a
    # re-emitted fact with a new id must not open a second set of clocks (unique per ticket and kind).
    event = ticket_created()
    await consumer.apply(envelope_for(event, "/fieldops/intake"), event, on_ticket_created)
    await consumer.apply(envelope_for(event, "/fieldops/intake"), event, on_ticket_created)
    assert await clocks_of(pool, event.ticket_id) == 2
