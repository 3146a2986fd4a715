"""Transactional outbox and its relay.

A state change and the event it causes commit together into the service's own
`outbox` table; the relay then publishes rows in id order and marks them sent.
If the relay dies between the broker's ack and the mark, the rows go out again:
consumers' inboxes make that harmless. Nothing is ever published that was not
committed, and nothing committed is ever skipped, because the relay selects
"not yet published" rather than "after the last id" (ids commit out of order).
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import asyncpg

from shared.db import TRANSIENT_ERRORS, asyncpg_dsn, init_connection
from shared.observability import log_fields
from shared.outbox_rows import envelope_for, write_outbox

if TYPE_CHECKING:
    from aiokafka import AIOKafkaProducer

    from shared.metrics import Metrics
    from shared.settings import Settings

log = logging.getLogger(__name__)

# Written by the unit of work at commit (shared.outbox_rows); importable from here as before.
__all__ = ["OutboxRelay", "envelope_for", "notify_channel", "prune_published", "write_outbox"]


def notify_channel(schema: str) -> str:
    return f"{schema}_outbox"


def advisory_lock_key(schema: str) -> int:
    # A stable 32-bit key per schema: one relay per service across all replicas.
    return zlib.crc32(f"fieldops.outbox.{schema}".encode())


class OutboxRelay:
    """Publishes a service's outbox in order. Only the replica holding the lock runs."""

    def __init__(
        self,
        settings: Settings,
        producer: AIOKafkaProducer,
        *,
        schema: str,
        metrics: Metrics,
    ) -> None:
        self.settings = settings
        self.producer = producer
        self.schema = schema
        self.metrics = metrics
        self.is_leader = False
        self.last_error: str | None = None
        self._wake = asyncio.Event()

    async def run(self) -> None:
        backoff = 0.2
        while True:
            try:
                await self._lead()
                backoff = 0.2
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.is_leader = False
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning(
                    "outbox relay interrupted; retrying",
                    extra=log_fields(error=self.last_error, retry_in_s=backoff),
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _lead(self) -> None:
        conn: asyncpg.Connection = await asyncpg.connect(
            asyncpg_dsn(self.settings.database_url), timeout=5
        )
        try:
            await init_connection(conn)
            while not await conn.fetchval(
                "SELECT pg_try_advisory_lock($1)", advisory_lock_key(self.schema)
            ):
                self.is_leader = False
                await asyncio.sleep(self.settings.relay_poll_interval_s)
            self.is_leader = True
            self.last_error = None
            await conn.add_listener(notify_channel(self.schema), lambda *_: self._wake.set())
            log.info("outbox relay is leader", extra=log_fields(schema=self.schema))
            while True:
                self._wake.clear()
                published = await self.publish_batch(conn)
                if published < self.settings.relay_batch_size:
                    try:
                        await asyncio.wait_for(
                            self._wake.wait(), self.settings.relay_poll_interval_s
                        )
                    except TimeoutError:
                        continue
                    # Let the commits of the next few milliseconds join this one: every produce
                    # request is a stored batch per partition that every consumer group then lists
                    # and reads (on Tansu over s3 that, not our code, was most of a ticket's CPU).
                    await asyncio.sleep(self.settings.relay_linger_ms / 1000)
        finally:
            self.is_leader = False
            conn.terminate()

    async def publish_batch(self, conn: asyncpg.Connection) -> int:
        rows = await conn.fetch(
            f"""SELECT id, event_id, topic, key, headers, payload, created_at FROM {self.schema}.outbox
                WHERE published_at IS NULL ORDER BY id LIMIT $1""",
            self.settings.relay_batch_size,
        )
        if not rows:
            return 0
        # Queue the whole batch, then await every ack: awaiting each send alone caps a
        # durable broker near 120 events/s (broker-notes.md).
        acks = [
            await self.producer.send(
                row["topic"],
                value=bytes(row["payload"]),
                key=row["key"].encode(),
                headers=[(k, v.encode()) for k, v in row["headers"]],
            )
            for row in rows
        ]
        await asyncio.gather(*acks)
        acked_at = datetime.now(UTC)
        await conn.execute(
            f"UPDATE {self.schema}.outbox SET published_at = $2 WHERE id = ANY($1::bigint[])",
            [r["id"] for r in rows],
            acked_at,
        )
        for row in rows:
            self.metrics.relay_lag.observe((acked_at - row["created_at"]).total_seconds())
        self.metrics.events_published.inc(len(rows))
        return len(rows)


async def prune_published(pool: asyncpg.Pool, schema: str, older_than_s: float = 86_400) -> int:
    try:
        result = await pool.execute(
            f"DELETE FROM {schema}.outbox WHERE published_at < now() - make_interval(secs => $1)",
            older_than_s,
        )
        return int(result.split()[-1])
    except TRANSIENT_ERRORS:
        return 0
