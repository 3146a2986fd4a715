"""Idempotent event consumption: inbox claim and handler in one transaction.

For every record: read the envelope, claim its id in the service's `inbox` and
run the handler in the same transaction, commit, and only then commit the Kafka
offset. A redelivered event finds its id claimed and changes nothing. A record
that can never be handled (not a CloudEvent, a payload of a type we handle failing
validation, a handler failing every attempt) goes to `<topic>.dlq` with the error,
and the consumer goes on. A type this service has no handler for, or one the
catalogue does not know yet, is skipped and counted (`fieldops_events_skipped`):
during a rolling deploy producers run ahead of consumers, and that must not fill
the DLQ. A database outage is not the event's fault: it is retried until the
database is back, never dead-lettered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import asyncpg
from aiokafka import ConsumerRebalanceListener
from aiokafka.errors import CommitFailedError, KafkaError
from aiokafka.structs import ConsumerRecord, TopicPartition
from pydantic import ValidationError

from shared.bus import consumer_group, make_consumer, start_with_retry, stop_quietly
from shared.db import DatabaseUnavailable, UnitOfWork, is_transient
from shared.events.catalog import Event, UnknownEventType, is_known, parse_event
from shared.events.envelope import Envelope, EnvelopeError
from shared.observability import event_id_var, log_fields, trace_id_from_traceparent, trace_id_var

if TYPE_CHECKING:
    from aiokafka import AIOKafkaProducer

    from shared.changes import ChangeFeed
    from shared.clock import Clock
    from shared.metrics import Metrics
    from shared.settings import Settings

log = logging.getLogger(__name__)

Handler = Callable[[Any, Envelope, UnitOfWork], Awaitable[None]]


@contextlib.contextmanager
def _event_context(envelope: Envelope) -> Iterator[None]:
    """Logs and the events a handler publishes carry the event's id and its trace."""
    event_token = event_id_var.set(envelope.id)
    trace_token = trace_id_var.set(trace_id_from_traceparent(envelope.traceparent))
    try:
        yield
    finally:
        event_id_var.reset(event_token)
        trace_id_var.reset(trace_token)


class _Membership(ConsumerRebalanceListener):
    """Knows whether the consumer holds its place in the group (joining takes ~5 s on Tansu)."""

    def __init__(self, owner: EventConsumer) -> None:
        self.owner = owner

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self.owner.joined = False
        # Hand over what is done, so the next owner does not redo it (it would be a no-op anyway).
        await self.owner.commit_offsets(set(revoked))

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self.owner.joined = True
        log.info("consumer joined its group", extra=log_fields(partitions=len(assigned)))


class PoisonMessage(Exception):
    """This record can never be handled; it belongs in the dead-letter topic."""


class EventConsumer:
    def __init__(
        self,
        settings: Settings,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer,
        *,
        topics: list[str],
        handlers: dict[str, Handler],
        metrics: Metrics,
        changes: ChangeFeed | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.changes = changes
        self.clock = clock
        self.pool = pool
        self.producer = producer
        self.topics = topics
        self.handlers = handlers
        self.metrics = metrics
        self.schema = settings.service
        self.last_poll: float | None = None
        self.joined = False
        self._consumer = None
        self._uncommitted: dict[TopicPartition, int] = {}
        self._last_commit = time.monotonic()

    @property
    def healthy(self) -> bool:
        """In the group and polling: a stuck consumer (aiokafka#1154) is not ready.

        A member may hold no partition (more replicas than partitions) and still be healthy:
        it is a standby the group hands partitions to when another member leaves.
        """
        if self._consumer is None or self.last_poll is None or not self.joined:
            return False
        return time.monotonic() - self.last_poll < self.settings.consumer_stall_s

    async def run(self) -> None:
        consumer = make_consumer(self.settings, [])
        consumer.subscribe(self.topics, listener=_Membership(self))
        await start_with_retry(consumer, what=f"{self.schema} consumer")
        self._consumer = consumer
        log.info("consumer started", extra=log_fields(topics=self.topics))
        try:
            while True:
                try:
                    batches = await consumer.getmany(timeout_ms=1000, max_records=500)
                except KafkaError:
                    log.warning("poll failed; the client reconnects by itself", exc_info=True)
                    await asyncio.sleep(0.5)
                    continue
                self.last_poll = time.monotonic()
                for tp, records in batches.items():
                    await self.process_batch(records)
                    self._uncommitted[tp] = records[-1].offset + 1
                # Offsets go in one request, at most once a commit interval: on a broker whose
                # storage writes each commit, a commit per partition per poll costs more than the
                # events. Only offsets of records whose transaction committed are here, and a
                # redelivery after a crash is a no-op thanks to the inbox.
                if (
                    self._uncommitted
                    and time.monotonic() - self._last_commit
                    >= self.settings.consumer_commit_interval_s
                ):
                    await self.commit_offsets()
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.commit_offsets(), 2.0)
            self._consumer = None
            await stop_quietly(consumer)

    async def commit_offsets(self, partitions: set[TopicPartition] | None = None) -> None:
        offsets = {
            tp: o for tp, o in self._uncommitted.items() if partitions is None or tp in partitions
        }
        if not offsets or self._consumer is None:
            return
        for tp in offsets:
            del self._uncommitted[tp]
        self._last_commit = time.monotonic()
        try:
            await self._consumer.commit(offsets)
        except (CommitFailedError, KafkaError) as exc:
            # The partition moved or the broker blinked: the records come again, and the
            # inbox makes the second delivery a no-op.
            log.warning(
                "offset commit failed; records will be redelivered",
                extra=log_fields(error=str(exc)),
            )

    async def process_batch(self, records: list[ConsumerRecord]) -> None:
        """Handle one partition's fetched records, in order, sharing one transaction when all goes well.

        Under a backlog this turns a transaction per event into one per fetch; if anything in the
        shared transaction fails, it rolls back whole and each record is handled on its own.
        """
        ready = [item for record in records if (item := await self._admit(record)) is not None]
        if len(ready) > 1:
            try:
                outcomes = await self.apply_many(
                    [(envelope, event, handler) for _, envelope, event, handler in ready]
                )
            except Exception as exc:  # nothing of the batch committed: take them one by one
                log.warning(
                    "batch failed; handling its events one by one", extra=log_fields(error=str(exc))
                )
            else:
                for (_, envelope, _, _), outcome in zip(ready, outcomes, strict=True):
                    self._handled(envelope, outcome)
                return
        for record, envelope, event, handler in ready:
            with _event_context(envelope):
                self._handled(
                    envelope, await self._handle_with_retries(record, envelope, event, handler)
                )

    async def _admit(
        self, record: ConsumerRecord
    ) -> tuple[ConsumerRecord, Envelope, Event, Handler] | None:
        """Parse and validate; poison goes to the dead-letter topic, events we don't need are skipped."""
        try:
            envelope = self._read(record)
        except PoisonMessage as exc:
            await self._dead_letter(record, str(exc))
            return None
        if not is_known(envelope.type):
            self.metrics.events_skipped.labels(envelope.type, "unknown").inc()
            return None
        handler = self.handlers.get(envelope.type)
        if handler is None:
            self.metrics.events_skipped.labels(envelope.type, "unhandled").inc()
            return None
        try:
            event = parse_event(envelope.type, envelope.dataversion, envelope.data)
        except (ValidationError, UnknownEventType) as exc:
            await self._dead_letter(
                record, f"payload of {envelope.type} v{envelope.dataversion} is invalid: {exc}"
            )
            return None
        return record, envelope, event, handler

    def _handled(self, envelope: Envelope, outcome: str) -> None:
        self.metrics.events_consumed.labels(envelope.type, outcome).inc()
        self.metrics.consumer_latency.labels(envelope.type).observe(
            max(0.0, (datetime.now(UTC) - envelope.time).total_seconds())
        )
        with _event_context(envelope):
            log.info(
                "event handled",
                extra=log_fields(type=envelope.type, outcome=outcome, subject=envelope.subject),
            )

    async def apply_many(self, ready: list[tuple[Envelope, Event, Handler]]) -> list[str]:
        """Claim every event id and run every handler in one transaction. Returns the outcomes."""
        async with UnitOfWork(
            self.pool, self.settings, changes=self.changes, clock=self.clock
        ) as uow:
            claimed = {
                row["event_id"]
                for row in await uow.conn.fetch(
                    f"INSERT INTO {self.schema}.inbox (event_id, type) SELECT * FROM unnest($1::text[], $2::text[]) "
                    "ON CONFLICT DO NOTHING RETURNING event_id",
                    [envelope.id for envelope, _, _ in ready],
                    [envelope.type for envelope, _, _ in ready],
                )
            }
            outcomes = []
            for envelope, event, handler in ready:
                if envelope.id not in claimed:
                    outcomes.append("duplicate")
                    continue
                claimed.discard(envelope.id)  # the same id twice in one fetch runs once
                with _event_context(envelope):
                    await handler(event, envelope, uow)
                outcomes.append("applied")
            await uow.commit()
        return outcomes

    def _read(self, record: ConsumerRecord) -> Envelope:
        try:
            envelope = Envelope.from_record(record.headers, record.value)
        except EnvelopeError as exc:
            raise PoisonMessage(str(exc)) from exc
        return envelope

    async def _handle_with_retries(
        self, record: ConsumerRecord, envelope: Envelope, event: Event, handler: Handler
    ) -> str:
        attempt = 0
        backoff = self.settings.consumer_retry_backoff_s
        while True:
            try:
                return await self.apply(envelope, event, handler)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if isinstance(exc, DatabaseUnavailable) or is_transient(exc):
                    log.warning(
                        "database unavailable while handling; retrying",
                        extra=log_fields(error=str(exc)),
                    )
                    await asyncio.sleep(min(backoff, 2.0))
                    backoff = min(backoff * 2, 2.0)
                    continue
                attempt += 1
                if attempt >= self.settings.consumer_max_attempts:
                    log.error("handler failed every attempt", exc_info=True)
                    await self._dead_letter(
                        record, f"handler failed {attempt} times: {type(exc).__name__}: {exc}"
                    )
                    return "dead_lettered"
                log.warning(
                    "handler failed; retrying", extra=log_fields(attempt=attempt, error=str(exc))
                )
                await asyncio.sleep(self.settings.consumer_retry_backoff_s * attempt)

    async def apply(self, envelope: Envelope, event: Event, handler: Handler) -> str:
        """Claim the event id and run the handler, atomically. Returns the outcome."""
        [outcome] = await self.apply_many([(envelope, event, handler)])
        return outcome

    async def _dead_letter(self, record: ConsumerRecord, error: str) -> None:
        dlq = f"{record.topic}.dlq"
        headers = list(record.headers or ()) + [
            ("dlq_error", error[:2000].encode()),
            ("dlq_topic", record.topic.encode()),
            ("dlq_partition", str(record.partition).encode()),
            ("dlq_offset", str(record.offset).encode()),
            ("dlq_consumer", consumer_group(self.settings).encode()),
        ]
        log.error(
            "dead-lettering a record",
            extra=log_fields(topic=record.topic, offset=record.offset, error=error[:500]),
        )
        backoff = 0.2
        while True:
            # The offset is committed only once the record is safe in the DLQ.
            try:
                await self.producer.send_and_wait(
                    dlq, value=record.value, key=record.key, headers=headers
                )
                break
            except KafkaError:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
        self.metrics.events_dead_lettered.labels(record.topic).inc()
