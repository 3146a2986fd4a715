"""Poison goes to the dead-letter topic and the consumer goes on; events delivered again change nothing."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from services.dispatch.app import SPEC as DISPATCH
from services.escalation.app import SPEC as ESCALATION
from services.intake.app import SPEC as INTAKE
from services.inventory.app import SPEC as INVENTORY
from shared.bus import consumer_group
from shared.db import asyncpg_dsn
from shared.events.envelope import Envelope
from shared.settings import SERVICES
from tests.faults.conftest import Rig
from tests.support.callcentre import Burst, Ledger
from tests.support.stack import ServiceStack, eventually

pytestmark = pytest.mark.faults

SPECS = {spec.name: spec for spec in (INTAKE, DISPATCH, ESCALATION, INVENTORY)}
# A type each consumed topic carries, for the record whose payload fails validation.
VALIDATED_TYPE = {"intake": "ticket.created", "dispatch": "assignment.accepted"}


def poison(owner: str) -> dict[str, tuple[list[tuple[str, bytes]], bytes]]:
    """kind -> (headers, value) of records no consumer can ever handle."""

    def headers(event_type: str) -> list[tuple[str, bytes]]:
        return Envelope(
            type=event_type, source="/fieldops/faults", subject="poison", data={}
        ).headers()

    return {
        "not-json": (headers(VALIDATED_TYPE[owner]), b'{"ticket_id": "unterminated'),
        "unknown-type": (headers("ticket.exploded"), b"{}"),
        "invalid-payload": (
            headers(VALIDATED_TYPE[owner]),
            json.dumps({"ticket_id": "not-a-uuid"}).encode(),
        ),
    }


EXPECTED_ERROR = {
    "not-json": "not JSON",
    "invalid-payload": "is invalid",
}


def consumers_of(owner: str) -> list[str]:
    return [name for name, spec in SPECS.items() if owner in spec.consumed_owners()]


async def read_all(
    bootstrap: str, topic: str, partitions: int, expected: int, *, timeout: float = 30.0
) -> list[Any]:
    """Every record of `topic`, read without a group, once `expected` are there (or time runs out)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=50
    )
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, p) for p in range(partitions)])
        await consumer.seek_to_beginning()
        records: list[Any] = []
        deadline = asyncio.get_running_loop().time() + timeout
        while len(records) < expected and asyncio.get_running_loop().time() < deadline:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records += batch
        await asyncio.sleep(1.0)  # and nothing more arrives after the expected ones
        for batch in (await consumer.getmany(timeout_ms=500)).values():
            records += batch
        return records
    finally:
        await consumer.stop()


async def test_poison_on_each_consumed_topic_is_dead_lettered_with_its_error_and_consumers_go_on(
    rig: Rig,
):
    stack, settings = rig.stack, rig.stack.settings
    customer_id = await rig.fresh()
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap, acks="all")
    await producer.start()
    try:
        for owner in VALIDATED_TYPE:
            # every partition: each consumer must step past its poison
            for partition in range(stack.partitions):
                for kind, (headers, value) in poison(owner).items():
                    await producer.send_and_wait(
                        settings.topic(owner),
                        value=value,
                        key=f"poison-{kind}".encode(),
                        headers=headers,
                        partition=partition,
                    )
    finally:
        await producer.stop()

    ledger = await Burst(stack, customer_id, Ledger(), count=48, clients=16).run()
    await rig.reconcile(ledger, customer_id)

    for owner in VALIDATED_TYPE:
        topic = settings.topic(owner)
        expected = Counter()
        for consumer in consumers_of(owner):
            handles_type = VALIDATED_TYPE[owner] in SPECS[consumer].handlers
            for kind in poison(owner):
                # A type unknown to the catalogue, or one this consumer does not handle, is
                # skipped and counted, not poison: a rolling deploy must not fill the DLQ.
                if kind == "unknown-type" or (kind == "invalid-payload" and not handles_type):
                    continue
                expected[(consumer_group(settings, consumer), kind)] += stack.partitions
        records = await read_all(
            stack.bootstrap, settings.dlq(owner), stack.partitions, sum(expected.values())
        )
        seen = Counter()
        for record in records:
            headers = {k: v.decode() for k, v in record.headers}
            kind = record.key.decode().removeprefix("poison-")
            seen[(headers["dlq_consumer"], kind)] += 1
            assert EXPECTED_ERROR[kind] in headers["dlq_error"], headers["dlq_error"]
            assert headers["dlq_topic"] == topic and headers["ce_source"] == "/fieldops/faults"
            assert record.value == poison(owner)[kind][1]
        assert seen == expected, (owner, seen, expected)
        for consumer in consumers_of(owner):
            skipped = await skipped_unknown(stack, consumer)
            assert skipped >= stack.partitions, (consumer, skipped)


async def skipped_unknown(stack: ServiceStack, service: str) -> int:
    """How many records of the poison's unknown type `service` skipped (and counted)."""
    async with httpx.AsyncClient(timeout=5.0) as http:
        text = (await http.get(f"{stack.url(service)}/metrics")).text
    return sum(
        int(sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "fieldops_events_skipped_total"
        and sample.labels == {"type": "ticket.exploded", "reason": "unknown"}
    )


async def consumed(stack: ServiceStack, service: str, outcome: str) -> Counter[str]:
    async with httpx.AsyncClient(timeout=5.0) as http:
        text = (await http.get(f"{stack.url(service)}/metrics")).text
    counts: Counter[str] = Counter()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if (
                sample.name == "fieldops_events_consumed_total"
                and sample.labels["outcome"] == outcome
            ):
                counts[sample.labels["type"]] += int(sample.value)
    return counts


async def snapshot(database_url: str) -> dict[str, Any]:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return {
            "assignments": sorted(
                map(
                    tuple,
                    await conn.fetch(
                        "SELECT id, ticket_id, engineer_id, status, assigned_at FROM dispatch.assignments"
                    ),
                )
            ),
            "clocks": sorted(
                map(
                    tuple,
                    await conn.fetch(
                        "SELECT id, ticket_id, kind, started_at, due_at, met_at, breached_at FROM escalation.clocks"
                    ),
                )
            ),
            "tickets": sorted(
                map(tuple, await conn.fetch("SELECT id, status, updated_at FROM intake.tickets"))
            ),
            **{
                f"{s}.inbox": await conn.fetchval(f"SELECT count(*) FROM {s}.inbox")
                for s in SERVICES
            },
            **{
                f"{s}.outbox": await conn.fetchval(f"SELECT count(*) FROM {s}.outbox")
                for s in SERVICES
            },
        }
    finally:
        await conn.close()


async def published_counts(database_url: str) -> Counter[str]:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        counts: Counter[str] = Counter()
        for schema in SERVICES:
            for row in await conn.fetch(
                f"SELECT type, count(*) AS n FROM {schema}.outbox GROUP BY type"
            ):
                counts[row["type"]] += row["n"]
        return counts
    finally:
        await conn.close()


async def rewind(stack: ServiceStack, service: str, *, timeout: float = 45.0) -> None:
    """Commit offset 0 on every partition the service's group reads, while the service is stopped.

    As a member of the group: Tansu refuses commits from outside it (generation -1: UnknownMemberId).
    """
    topics = SPECS[service].topics(stack.settings)
    partitions = {TopicPartition(t, p) for t in topics for p in range(stack.partitions)}
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=stack.bootstrap,
        group_id=consumer_group(stack.settings, service),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=50,
        session_timeout_ms=6000,
        heartbeat_interval_ms=1000,
    )
    await consumer.start()
    try:
        async with asyncio.timeout(timeout):
            while consumer.assignment() != partitions:
                await consumer.getmany(
                    timeout_ms=200
                )  # joins the group; what it fetches is not committed
            await consumer.commit({tp: 0 for tp in partitions})
            assert [await consumer.committed(tp) for tp in sorted(partitions)] == [0] * len(
                partitions
            )
    finally:
        await consumer.stop()


async def test_events_delivered_again_from_the_beginning_change_nothing(rig: Rig):
    stack = rig.stack
    customer_id = await rig.fresh()
    ledger = await Burst(stack, customer_id, Ledger(), count=300, clients=16).run()
    await rig.reconcile(ledger, customer_id)
    before = await snapshot(rig.database_url)

    consumers = [name for name, spec in SPECS.items() if spec.handlers]
    await stack.supervisor.stop(consumers)
    try:
        await asyncio.gather(*(rewind(stack, service) for service in consumers))
    finally:
        await stack.start(consumers)

    # Every consumer read everything again (this test's events and those of the tests before it on
    # the same stack), and found each event already claimed.
    published = await published_counts(rig.database_url)
    wanted = {
        service: {t: published[t] for t in SPECS[service].handlers if published[t]}
        for service in consumers
    }

    async def redelivered() -> bool:
        for service, types in wanted.items():
            duplicates = await consumed(stack, service, "duplicate")
            if any(duplicates[t] < n for t, n in types.items()):
                return False
        return True

    await eventually(redelivered, timeout=60, interval=0.5)
    for service in consumers:
        assert (await consumed(stack, service, "applied")) == Counter(), service
    assert await snapshot(rig.database_url) == before
    await rig.reconcile(ledger, customer_id)
