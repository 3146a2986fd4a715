"""Reservations: parts held for tickets (IV-1, IV-4, DS-3), picked, consumed, returned,
released, and backorders served when stock arrives.

Glue only: load (store), decide (lifecycle, rules), save (store, the ledger through
`stock.handlers.move`), publish. They run inside a unit of work and never commit.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from services.inventory.contracts import store as contracts
from services.inventory.parts.rules import PartNotFound
from services.inventory.reservations import lifecycle, rules, store
from services.inventory.reservations.commands import (
    ConsumeParts,
    ExpireReservations,
    MoveReservation,
    ReserveParts,
)
from services.inventory.reservations.lifecycle import (
    Move,
    Reservation,
    ReservationNotFound,
    ReservationStatus,
)
from services.inventory.sites import store as sites
from services.inventory.stock import handlers as stock
from services.inventory.stock import store as ledger
from services.inventory.stock.ledger import MovementKind
from services.inventory.stock.store import Booking
from services.inventory.tickets import store as tickets
from services.inventory.tickets.handlers import live_ticket
from shared.commands import Created
from shared.db import UnitOfWork
from shared.events.base import Event
from shared.events.envelope import Envelope
from shared.events.intake import TicketCancelled, TicketClosed, TicketReopened, TicketResolved
from shared.events.inventory import (
    PartAvailable,
    PartBackordered,
    ReservationConsumed,
    ReservationCreated,
    ReservationReleased,
)
from shared.observability import log_fields

log = logging.getLogger(__name__)

S = ReservationStatus


async def reserve(command: ReserveParts, uow: UnitOfWork) -> Created:
    """IV-1: held at the nearest location that can cover the whole quantity, or backordered
    when asked to wait. IV-4: a third-party or refurbished part only under a waiver."""
    rules.check_quantity(command.quantity)
    ticket = await live_ticket(uow, command.ticket_id)
    await ledger.lock_part(uow.conn, command.part_number)
    original, condition = await store.part(uow.conn, command.part_number)
    waiver = (
        await contracts.waiver(uow.conn, ticket["contract_id"])
        if ticket["contract_id"] is not None
        else None
    )
    waiver_reference = rules.check_originals(original, condition, waiver)
    site = await sites.position(uow.conn, ticket["site_id"]) if ticket["site_id"] else None
    levels = await stock.levels(uow, command.part_number)
    waiting = await store.backorders_waiting(uow.conn, command.part_number)
    # Strict FIFO (rules): stock goes to waiting backorders before a newer request.
    choice = None if waiting else rules.nearest(levels, site, command.quantity)
    reservation_id = uuid4()
    fields: dict[str, Any] = {
        "id": reservation_id,
        "ticket_id": command.ticket_id,
        "part_number": command.part_number,
        "quantity": command.quantity,
        "waiver_reference": waiver_reference,
        "by": command.by,
        "at": uow.now,
    }
    events: list[Event]
    if choice is None:
        if not command.backorder:
            why = (
                f"{waiting} earlier backorder(s) of {command.part_number} are served first"
                if waiting
                else f"no single location has {command.quantity} of {command.part_number} available"
            )
            raise rules.NotEnoughStock(
                f'{why}; send "backorder": true to wait for stock',
                part_number=command.part_number,
                requested=command.quantity,
                available=sum(max(level.available, 0) for level in levels),
                most_at_one_location=max((level.available for level in levels), default=0),
                backorders_waiting=waiting,
            )
        await store.insert(
            uow.conn, **fields, status=S.backordered, location_id=None, expires_at=None
        )
        # Nothing is held until one location can cover the whole quantity: all of it is short.
        events = [
            PartBackordered(
                ticket_id=command.ticket_id,
                part_number=command.part_number,
                quantity_short=command.quantity,
                at=uow.now,
            )
        ]
    else:
        expires_at = uow.now + timedelta(days=uow.settings.reservation_days)
        location_id = choice.level.location_id
        await store.insert(
            uow.conn, **fields, status=S.reserved, location_id=location_id, expires_at=expires_at
        )
        await stock.move(
            uow,
            command.part_number,
            location_id,
            MovementKind.reservation,
            command.quantity,
            Booking(
                command.by, uow.now, reservation_id=reservation_id, ticket_id=command.ticket_id
            ),
        )
        events = [
            ReservationCreated(
                ticket_id=command.ticket_id,
                reservation_id=reservation_id,
                part_number=command.part_number,
                quantity=command.quantity,
                at=uow.now,
                location_id=location_id,
                location_name=choice.level.location_name,
                waiver_reference=waiver_reference,
                expires_at=expires_at,
            )
        ]
    return await _public(uow, reservation_id), events


async def act(command: MoveReservation, uow: UnitOfWork) -> dict[str, Any]:
    """Pick, return or release one reservation; IllegalMove names what its status allows."""
    found = await store.get(uow.conn, command.reservation_id)
    if found is None:
        raise ReservationNotFound(f"no reservation {command.reservation_id}")
    await ledger.lock_part(uow.conn, found["part_number"])
    reservation = await store.lock(uow.conn, command.reservation_id)
    if reservation is None:  # unreachable: reservations are never deleted
        raise ReservationNotFound(f"no reservation {command.reservation_id}")
    reason = {Move.release: "released", Move.return_: "returned"}.get(command.move)
    freed = await _apply(uow, reservation, command.move, by=command.by, reason=reason)
    if freed:
        await serve_backorders(uow, reservation.part_number)
    return await _public(uow, reservation.id)


async def consume(command: ConsumeParts, uow: UnitOfWork) -> list[dict[str, Any]]:
    """Parts fitted for the ticket, from its reservations of the part, oldest first; refused,
    with nothing changed, when fewer were reserved for it."""
    rules.check_quantity(command.quantity)
    await ledger.lock_part(uow.conn, command.part_number)
    holding = await store.lock_of_ticket(uow.conn, command.ticket_id, command.part_number)
    reserved = sum(r.held for r in holding)
    if reserved < command.quantity:
        raise rules.NotReserved(
            f"{command.quantity} of {command.part_number} not reserved for ticket "
            f"{command.ticket_id}: {reserved} held for it",
            part_number=command.part_number,
            requested=command.quantity,
            reserved=reserved,
        )
    touched = await _consume(uow, holding, command.quantity, by=command.by)
    return [await _public(uow, reservation_id) for reservation_id in touched]


async def serve_backorders(uow: UnitOfWork, part_number: str) -> None:
    """After stock arrives or is freed: the part's backorders served oldest first, each from
    the location nearest its ticket's site that can cover it (rules.serve_order)."""
    await ledger.lock_part(uow.conn, part_number)
    waiting = await store.lock_backorders(uow.conn, part_number)
    if not waiting:
        return
    of = {backorder.id: (ticket_id, waiver) for backorder, ticket_id, waiver in waiting}
    levels = await stock.levels(uow, part_number)
    expires_at = uow.now + timedelta(days=uow.settings.reservation_days)
    for backorder, choice in rules.serve_order([b for b, _, _ in waiting], levels):
        ticket_id, waiver_reference = of[backorder.id]
        location_id = choice.level.location_id
        await stock.move(
            uow,
            part_number,
            location_id,
            MovementKind.reservation,
            backorder.quantity,
            Booking("backorder", uow.now, reservation_id=backorder.id, ticket_id=ticket_id),
        )
        await store.serve(uow.conn, backorder.id, location_id, uow.now, expires_at)
        uow.publish(
            ReservationCreated(
                ticket_id=ticket_id,
                reservation_id=backorder.id,
                part_number=part_number,
                quantity=backorder.quantity,
                at=uow.now,
                location_id=location_id,
                location_name=choice.level.location_name,
                waiver_reference=waiver_reference,
                expires_at=expires_at,
            ),
            PartAvailable(
                ticket_id=ticket_id,
                part_number=part_number,
                quantity_arrived=backorder.quantity,
                at=uow.now,
            ),
        )


async def expire_reservations(command: ExpireReservations, uow: UnitOfWork) -> int:
    """Reserved parts held past their time go back on the shelf, each once: a replica takes a
    part's lock with SKIP LOCKED, and a reservation already released matches nothing."""
    fired = 0
    for part_number in await store.due_parts(uow.conn, uow.now, command.batch):
        if not await store.try_lock_part(uow.conn, part_number):
            continue
        due = await store.lock_due(uow.conn, part_number, uow.now, command.batch)
        for reservation in due:
            await _apply(uow, reservation, Move.expire, by="expiry", reason="expired")
        fired += len(due)
        if due:
            await serve_backorders(uow, part_number)
    return fired


async def get(uow: UnitOfWork, reservation_id: UUID) -> dict[str, Any] | None:
    row = await store.get(uow.conn, reservation_id)
    return None if row is None else _shown(row)


async def of_ticket(uow: UnitOfWork, ticket_id: UUID) -> list[dict[str, Any]]:
    return [_shown(row) for row in await store.of_ticket(uow.conn, ticket_id)]


# Intake's ticket facts. An event cannot be refused: what does not apply is skipped, and a
# reservation already past a move changes nothing (lifecycle.FACTS).


async def on_ticket_cancelled(event: TicketCancelled, envelope: Envelope, uow: UnitOfWork) -> None:
    """Everything held for a cancelled ticket goes back: reserved released, picked returned,
    backorders withdrawn."""
    await tickets.set_status(uow.conn, event.ticket_id, "cancelled")
    await _end_all(uow, event.ticket_id, Move.cancel, lifecycle.LIVE, "ticket_cancelled", event)


async def on_ticket_closed(event: TicketClosed, envelope: Envelope, uow: UnitOfWork) -> None:
    """A closed ticket's unused reservations and backorders are released; a picked part stays
    with the engineer until it is returned."""
    await tickets.set_status(uow.conn, event.ticket_id, "closed")
    await _end_all(
        uow, event.ticket_id, Move.release, (S.backordered, S.reserved), "ticket_closed", event
    )


async def on_ticket_resolved(event: TicketResolved, envelope: Envelope, uow: UnitOfWork) -> None:
    """The parts used on the job are consumed from what was reserved for the ticket."""
    await tickets.set_status(uow.conn, event.ticket_id, "resolved")
    used = Counter[str]()
    for part in event.parts_used:
        used[part.part_number] += part.quantity
    for part_number in sorted(used):
        try:
            await ledger.lock_part(uow.conn, part_number)
        except PartNotFound:
            _skipped(event, part_number, used[part_number], "no such part")
            continue
        holding = await store.lock_of_ticket(uow.conn, event.ticket_id, part_number)
        wanted = min(used[part_number], sum(r.held for r in holding))
        if wanted:
            await _consume(uow, holding, wanted, by=event.type)
        if wanted < used[part_number]:
            _skipped(event, part_number, used[part_number] - wanted, "not reserved for it")


async def on_ticket_reopened(event: TicketReopened, envelope: Envelope, uow: UnitOfWork) -> None:
    await tickets.set_status(uow.conn, event.ticket_id, "open")


EVENTS = {
    TicketCancelled.type: on_ticket_cancelled,
    TicketClosed.type: on_ticket_closed,
    TicketResolved.type: on_ticket_resolved,
    TicketReopened.type: on_ticket_reopened,
}


async def _end_all(
    uow: UnitOfWork,
    ticket_id: UUID,
    how: Move,
    statuses: tuple[ReservationStatus, ...],
    reason: str,
    event: TicketCancelled | TicketClosed,
) -> None:
    # Parts locked one by one in name order: two tickets' ends never wait on each other in a ring.
    for part_number in await store.parts_of_ticket(uow.conn, ticket_id):
        await ledger.lock_part(uow.conn, part_number)
        freed = False
        for reservation in await store.lock_of_ticket(uow.conn, ticket_id, part_number, statuses):
            freed |= await _apply(uow, reservation, how, by=event.type, reason=reason)
        if freed:
            await serve_backorders(uow, part_number)


async def _apply(
    uow: UnitOfWork, reservation: Reservation, how: Move, *, by: str, reason: str | None
) -> bool:
    """One move of a reservation whose part is locked: its ledger movement, its new status and
    its event. True when it freed stock for others."""
    step = lifecycle.move(reservation.status, how)
    if step is None:
        return False
    if step.movement is not None and reservation.location_id is not None:
        await stock.move(
            uow,
            reservation.part_number,
            reservation.location_id,
            step.movement,
            reservation.held,
            Booking(
                by,
                uow.now,
                reservation_id=reservation.id,
                ticket_id=reservation.ticket_id,
                reason=reason,
            ),
        )
    await store.set_status(uow.conn, reservation.id, step.to, reason, uow.now)
    ids = {
        "ticket_id": reservation.ticket_id,
        "reservation_id": reservation.id,
        "part_number": reservation.part_number,
        "at": uow.now,
    }
    if step.to in (S.released, S.returned):
        uow.publish(
            ReservationReleased(
                **ids,
                quantity=reservation.held,
                location_id=reservation.location_id,
                reason=reason or how.value,
            )
        )
        return reservation.location_id is not None
    if step.to is S.consumed and reservation.location_id is not None:
        uow.publish(
            ReservationConsumed(
                **ids, quantity=reservation.held, location_id=reservation.location_id
            )
        )
    return False


async def _consume(
    uow: UnitOfWork, holding: list[Reservation], quantity: int, *, by: str
) -> list[UUID]:
    """`quantity` (no more than `holding` holds) consumed oldest first; a reservation that
    gives only part of what it holds stays live with the rest. The ids touched."""
    left, touched = quantity, []
    for reservation in holding:
        if left == 0:
            break
        taken = min(left, reservation.held)
        left -= taken
        touched.append(reservation.id)
        if taken == reservation.held:
            await _apply(uow, reservation, Move.consume, by=by, reason=None)
            continue
        await stock.move(
            uow,
            reservation.part_number,
            reservation.location_id,  # type: ignore[arg-type]  # holding: always at a location
            MovementKind.consume,
            taken,
            Booking(by, uow.now, reservation_id=reservation.id, ticket_id=reservation.ticket_id),
        )
        await store.touch(uow.conn, reservation.id, uow.now)
        uow.publish(
            ReservationConsumed(
                ticket_id=reservation.ticket_id,
                reservation_id=reservation.id,
                part_number=reservation.part_number,
                quantity=taken,
                at=uow.now,
                location_id=reservation.location_id,
            )
        )
    return touched


def _skipped(event: TicketResolved, part_number: str, quantity: int, why: str) -> None:
    log.warning(
        "part used on a resolved ticket not consumed",
        extra=log_fields(
            ticket_id=str(event.ticket_id), part_number=part_number, quantity=quantity, why=why
        ),
    )


async def _public(uow: UnitOfWork, reservation_id: UUID) -> dict[str, Any]:
    row = await store.get(uow.conn, reservation_id)
    if row is None:  # unreachable: read in the transaction that wrote it
        raise ReservationNotFound(f"no reservation {reservation_id}")
    return _shown(row)


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    site = row.pop("site_latitude"), row.pop("site_longitude")
    location = row.pop("location_latitude"), row.pop("location_longitude")
    row["distance_km"] = (
        rules.distance_km(site, location) if None not in site and None not in location else None
    )
    return row
