"""Kafka clients built from settings, the same way in every service.

Nothing here knows which broker it talks to: Apache Kafka in production, Tansu
on a developer's machine. Where they differ (idempotent producer, fetch wait)
the difference is a setting, not a code path.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaError
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_delay,
    wait_exponential_jitter,
)

from shared.settings import Settings

log = logging.getLogger(__name__)

Client = TypeVar("Client", AIOKafkaProducer, AIOKafkaConsumer)


def make_producer(settings: Settings) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=f"fieldops-{settings.service}",
        acks="all",
        enable_idempotence=settings.kafka_enable_idempotence,
        request_timeout_ms=settings.kafka_request_timeout_ms,
        linger_ms=2,
        retry_backoff_ms=200,
    )


def consumer_group(settings: Settings, service: str | None = None) -> str:
    # The prefix scopes the group like the topics: two deployments on one broker never mix.
    return f"{settings.topic_prefix}-{service or settings.service}"


def make_consumer(
    settings: Settings, topics: list[str], *, group_id: str | None = None
) -> AIOKafkaConsumer:
    """A group member that commits by hand; pass no topics to `subscribe` with a listener."""
    return AIOKafkaConsumer(
        *topics,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=f"fieldops-{settings.service}",
        group_id=group_id or consumer_group(settings),
        # `latest` relies on end offsets, which Tansu reports wrongly; the inbox makes
        # re-reading from the start harmless.
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
        max_poll_interval_ms=settings.kafka_max_poll_interval_ms,
        request_timeout_ms=max(
            settings.kafka_request_timeout_ms, settings.kafka_session_timeout_ms + 5000
        ),
        retry_backoff_ms=200,
    )


async def start_with_retry(
    client: Client, *, what: str, give_up_after_s: float | None = None
) -> Client:
    """`start()` raises while the broker is not up yet; keep trying with back-off."""
    stop = stop_after_delay(give_up_after_s) if give_up_after_s else (lambda _state: False)
    async for attempt in AsyncRetrying(
        retry=retry_if_exception_type((KafkaConnectionError, KafkaError, OSError)),
        wait=wait_exponential_jitter(multiplier=0.2, max=5),
        stop=stop,
        reraise=True,
        before_sleep=lambda state: log.warning(
            "%s cannot reach the broker yet, retrying", what, exc_info=False
        ),
    ):
        with attempt:
            await client.start()
    return client


async def stop_quietly(
    client: AIOKafkaProducer | AIOKafkaConsumer | None, timeout: float = 5.0
) -> None:
    # consumer.stop() can hang (aiokafka#659, #773): never let it hold up shutdown.
    if client is None:
        return
    try:
        await asyncio.wait_for(client.stop(), timeout)
    except Exception:
        log.warning("kafka client did not stop cleanly", exc_info=True)
