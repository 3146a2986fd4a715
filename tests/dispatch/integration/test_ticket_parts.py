"""Inventory's reservations and backorders as dispatch keeps them, on real PostgreSQL: one row
per reservation (a backorder: one per ticket and part), a fact delivered twice or late changes
nothing, and each change wakes the engineers live on the ticket and only them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from services.dispatch.assignments.rules import engineer_key
from services.dispatch.parts.handlers import EVENTS
from shared.clock import FrozenClock
from shared.consumer import EventConsumer
from shared.db import UnitOfWork
from shared.events.base import Event
from shared.events.inventory import (
    PartAvailable,
    PartBackordered,
    ReservationConsumed,
    ReservationCreated,
    ReservationReleased,
)
from shared.metrics import Metrics
from shared.outbox_rows import envelope_for
from tests.dispatch.integration.jobs import NOW, a_job

DEPOT = uuid.uuid4()


@pytest.fixture
async def uow(pool, dispatch_settings) -> AsyncIterator[UnitOfWork]:
    # Never committed: the test's rows go with the rollback.
    async with UnitOfWork(pool, dispatch_settings, clock=FrozenClock(NOW)) as work:
        yield work


def at(minutes: float) -> datetime:
    return NOW + timedelta(minutes=minutes)


def created(ticket_id: uuid.UUID, part: str = "HW-S5735-PSU", **fields: Any) -> ReservationCreated:
    return ReservationCreated(
        ticket_id=ticket_id,
        reservation_id=fields.pop("reservation_id", uuid.uuid4()),
        part_number=part,
        quantity=fields.pop("quantity", 1),
        location_id=DEPOT,
        location_name="Shanghai depot",
        expires_at=at(14 * 24 * 60),
        at=fields.pop("at", at(0)),
        **fields,
    )


def ended(
    kind: type[ReservationReleased] | type[ReservationConsumed], hold, minutes: float, **more
):
    return kind(
        ticket_id=hold.ticket_id,
        reservation_id=hold.reservation_id,
        part_number=hold.part_number,
        quantity=hold.quantity,
        location_id=more.pop("location_id", hold.location_id),
        at=at(minutes),
        **more,
    )


def backordered(ticket_id: uuid.UUID, part: str, short: int, minutes: float) -> PartBackordered:
    return PartBackordered(
        ticket_id=ticket_id, part_number=part, quantity_short=short, at=at(minutes)
    )


def available(ticket_id: uuid.UUID, part: str, minutes: float) -> PartAvailable:
    return PartAvailable(ticket_id=ticket_id, part_number=part, quantity_arrived=1, at=at(minutes))


async def handle(uow: UnitOfWork, *events: Event) -> None:
    for event in events:
        await EVENTS[event.type](event, envelope_for(event, "/fieldops/inventory"), uow)


async def parts_of(conn, ticket_id: uuid.UUID) -> list[tuple]:
    rows = await conn.fetch(
        "SELECT part_number, quantity, location_name, status, reservation_id IS NULL AS awaited "
        "FROM dispatch.ticket_parts WHERE ticket_id = $1 ORDER BY seq",
        ticket_id,
    )
    return [tuple(r) for r in rows]


async def test_a_reservation_is_kept_once_however_often_it_is_delivered(uow):
    ticket_id = uuid.uuid4()
    hold = created(ticket_id, quantity=2)
    await handle(uow, hold, hold)
    assert await parts_of(uow.conn, ticket_id) == [
        ("HW-S5735-PSU", 2, "Shanghai depot", "reserved", False)
    ]
    row = await uow.conn.fetchrow(
        "SELECT reservation_id, location_id, as_of FROM dispatch.ticket_parts WHERE ticket_id = $1",
        ticket_id,
    )
    assert tuple(row) == (hold.reservation_id, DEPOT, hold.at)


async def test_a_released_or_consumed_reservation_ends_and_never_comes_back(uow):
    ticket_id = uuid.uuid4()
    released, consumed = created(ticket_id, "FAN"), created(ticket_id, "PSU")
    await handle(
        uow,
        released,
        consumed,
        ended(ReservationReleased, released, 10, reason="expired"),
        ended(ReservationConsumed, consumed, 20),
        released,  # a creation delivered again after its end
    )
    assert await parts_of(uow.conn, ticket_id) == [
        ("FAN", 1, "Shanghai depot", "released", False),
        ("PSU", 1, "Shanghai depot", "consumed", False),
    ]


async def test_an_end_delivered_before_its_reservation_stays_the_end(uow):
    ticket_id = uuid.uuid4()
    hold = created(ticket_id)
    await handle(uow, ended(ReservationConsumed, hold, 30), hold)
    assert [(p, s) for p, _, _, s, _ in await parts_of(uow.conn, ticket_id)] == [
        ("HW-S5735-PSU", "consumed")
    ]


async def test_a_backorder_is_one_row_per_ticket_and_part_until_the_part_arrives(uow):
    ticket_id = uuid.uuid4()
    await handle(
        uow,
        backordered(ticket_id, "PSU", 2, 0),
        backordered(ticket_id, "PSU", 1, 5),  # the newest shortfall stands
        backordered(ticket_id, "FAN", 1, 5),
        backordered(ticket_id, "PSU", 3, 1),  # older than the one kept: changes nothing
    )
    assert await parts_of(uow.conn, ticket_id) == [
        ("PSU", 1, None, "backordered", True),
        ("FAN", 1, None, "backordered", True),
    ]
    await handle(uow, available(ticket_id, "PSU", 60))
    assert [p for p, *_ in await parts_of(uow.conn, ticket_id)] == ["FAN"]


async def test_an_arrival_older_than_the_backorder_leaves_it_awaited(uow):
    ticket_id = uuid.uuid4()
    await handle(uow, backordered(ticket_id, "PSU", 1, 30), available(ticket_id, "PSU", 10))
    assert [s for *_, s, _ in await parts_of(uow.conn, ticket_id)] == ["backordered"]


async def test_a_backorder_withdrawn_before_any_location_held_it_is_no_longer_awaited(uow):
    ticket_id = uuid.uuid4()
    await handle(uow, backordered(ticket_id, "PSU", 1, 0))
    withdrawn = ReservationReleased(
        ticket_id=ticket_id,
        reservation_id=uuid.uuid4(),
        part_number="PSU",
        quantity=1,
        location_id=None,
        reason="ticket_cancelled",
        at=at(10),
    )
    await handle(uow, withdrawn)
    assert await parts_of(uow.conn, ticket_id) == [("PSU", 1, None, "released", False)]


async def test_a_change_wakes_the_engineers_live_on_the_ticket_and_a_repeat_wakes_nobody(uow):
    lead = await a_job(uow.conn, status="accepted")
    support = await a_job(uow.conn, status="assigned")
    gone = await a_job(uow.conn, status="declined")
    for other in (support, gone):  # the same ticket as the lead's
        await uow.conn.execute(
            "UPDATE dispatch.assignments SET ticket_id = $2 WHERE id = $1",
            other.assignment_id,
            lead.ticket_id,
        )
    hold = created(lead.ticket_id)
    await handle(uow, hold)
    assert uow.changed_keys == {engineer_key(lead.engineer_id), engineer_key(support.engineer_id)}

    uow.changed_keys.clear()
    await handle(uow, hold, available(lead.ticket_id, "nothing awaited", 5))
    assert uow.changed_keys == set()

    await handle(uow, backordered(lead.ticket_id, "FAN", 1, 5))
    assert engineer_key(lead.engineer_id) in uow.changed_keys
    assert engineer_key(gone.engineer_id) not in uow.changed_keys


async def test_a_reservation_redelivered_under_its_id_is_claimed_once_in_the_inbox(
    pool, dispatch_settings
):
    consumer = EventConsumer(
        dispatch_settings, pool, producer=None, topics=[], handlers={}, metrics=Metrics()
    )
    hold = created(uuid.uuid4())
    envelope = envelope_for(hold, "/fieldops/inventory")
    handler = EVENTS[hold.type]
    assert await consumer.apply(envelope, hold, handler) == "applied"
    assert await consumer.apply(envelope, hold, handler) == "duplicate"
    assert len(await parts_of(pool, hold.ticket_id)) == 1
