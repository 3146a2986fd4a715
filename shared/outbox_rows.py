"""The outbox rows a unit of work writes at commit: one per event, in the same transaction.

Apart from the relay (`shared.outbox`) so that the unit of work (`shared.db`) can write
them without importing the relay, which itself needs the database helpers: the two
modules each import this one and never each other in a cycle.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

import asyncpg

from shared.events.envelope import Envelope
from shared.observability import traceparent

if TYPE_CHECKING:
    from shared.events.base import Event
    from shared.settings import Settings


def envelope_for(event: Event, source: str, trace_id: str | None = None) -> Envelope:
    return Envelope(
        type=event.type,
        dataversion=event.version,
        source=source,
        subject=event.aggregate_id(),
        data=event.model_dump(mode="json"),
        traceparent=traceparent(trace_id) if trace_id else None,
    )


async def write_outbox(
    conn: asyncpg.Connection,
    settings: Settings,
    traced_events: Sequence[tuple[Event, str | None]],
) -> None:
    schema = settings.service
    events = [event for event, _ in traced_events]
    envelopes = [
        envelope_for(event, settings.event_source, trace) for event, trace in traced_events
    ]
    # One statement for all of a transaction's events: fewer round trips on the hot path.
    await conn.execute(
        f"""INSERT INTO {schema}.outbox (event_id, topic, key, type, headers, payload)
            SELECT e, t, k, y, h::jsonb, p
            FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[])
                 AS u(e, t, k, y, h, p)""",
        [env.id for env in envelopes],
        [settings.topic(e.owner) for e in events],
        [e.aggregate_id() for e in events],
        [e.type for e in events],
        [json.dumps([[k, v.decode()] for k, v in env.headers()]) for env in envelopes],
        [env.value() for env in envelopes],
    )
