"""Parts as dispatch keeps them (DS-3: the engineer prepares spare parts before setting off):
what inventory holds for each ticket and where, and what it still awaits.

A change wakes the long polls of the engineers live on the ticket: their phone's list carries
the parts, so its ETag changes with them.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from services.dispatch.assignments.rules import engineer_key
from services.dispatch.parts import store
from services.dispatch.parts.store import Held
from shared.db import UnitOfWork
from shared.events.envelope import Envelope
from shared.events.inventory import (
    PartAvailable,
    PartBackordered,
    ReservationConsumed,
    ReservationCreated,
    ReservationReleased,
)


def _wake(uow: UnitOfWork, engineers: Iterable[UUID]) -> None:
    uow.changed(*(engineer_key(e) for e in engineers))


async def on_reservation_created(
    event: ReservationCreated, envelope: Envelope, uow: UnitOfWork
) -> None:
    _wake(uow, await store.hold(uow.conn, event))


async def on_reservation_released(
    event: ReservationReleased, envelope: Envelope, uow: UnitOfWork
) -> None:
    engineers = await store.end(uow.conn, event, Held.released)
    if event.location_id is None:
        # A backorder withdrawn before any location held it: no part.available will come.
        engineers += await store.clear_backorder(uow.conn, event)
    _wake(uow, engineers)


async def on_reservation_consumed(
    event: ReservationConsumed, envelope: Envelope, uow: UnitOfWork
) -> None:
    _wake(uow, await store.end(uow.conn, event, Held.consumed))


async def on_part_backordered(event: PartBackordered, envelope: Envelope, uow: UnitOfWork) -> None:
    _wake(uow, await store.backorder(uow.conn, event))


async def on_part_available(event: PartAvailable, envelope: Envelope, uow: UnitOfWork) -> None:
    # Awaited no longer: a location that holds it for the ticket says so in a reservation.created.
    _wake(uow, await store.clear_backorder(uow.conn, event))


EVENTS = {
    ReservationCreated.type: on_reservation_created,
    ReservationReleased.type: on_reservation_released,
    ReservationConsumed.type: on_reservation_consumed,
    PartBackordered.type: on_part_backordered,
    PartAvailable.type: on_part_available,
}
