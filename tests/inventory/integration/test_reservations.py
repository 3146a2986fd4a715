"""Reservations on real PostgreSQL: each move books its ledger row and its event, IV-4 is
refused without a waiver and cited with one, backorders are served oldest first, and a
ticket's end gives back what was held for it."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest

from services.inventory.parts.rules import PartNotFound
from services.inventory.reservations import handlers
from services.inventory.reservations.commands import (
    ConsumeParts,
    ExpireReservations,
    MoveReservation,
    ReserveParts,
)
from services.inventory.reservations.lifecycle import IllegalMove, Move
from services.inventory.reservations.rules import (
    NotEnoughStock,
    NotReserved,
    OriginalsOnly,
)
from services.inventory.stock import handlers as stock
from services.inventory.stock.ledger import MovementKind
from services.inventory.stock.store import Booking
from services.inventory.tickets.rules import TicketEnded, TicketNotKnown
from shared.db import UnitOfWork
from shared.events.envelope import Envelope
from shared.events.intake import (
    PartUsed,
    TicketCancelled,
    TicketClosed,
    TicketReopened,
    TicketResolved,
)
from shared.events.inventory import (
    PartAvailable,
    PartBackordered,
    ReservationConsumed,
    ReservationCreated,
    ReservationReleased,
)

BEIJING = (39.9042, 116.4074)
TIANJIN = (39.3434, 117.3616)
SHANGHAI = (31.2304, 121.4737)
ENVELOPE = Envelope(type="test", source="test", subject="test", data={})


@dataclass
class World:
    """A part stocked at three locations and a ticket at a site in Beijing."""

    uow: UnitOfWork
    part: str
    locations: dict[str, uuid.UUID]
    ticket_id: uuid.UUID
    contract_id: uuid.UUID

    async def receive(self, location: str, quantity: int, part: str | None = None) -> None:
        await stock.move(
            self.uow,
            part or self.part,
            self.locations[location],
            MovementKind.receipt,
            quantity,
            Booking("test", self.uow.now),
        )

    async def reserve(self, quantity: int, **kwargs) -> dict:
        command = ReserveParts(
            kwargs.pop("ticket_id", self.ticket_id),
            kwargs.pop("part", self.part),
            quantity,
            "coordinator",
            **kwargs,
        )
        row, events = await handlers.reserve(command, self.uow)
        self.uow.publish(*events)
        return row

    async def act(self, reservation_id: uuid.UUID, how: Move) -> dict:
        return await handlers.act(MoveReservation(reservation_id, how, "engineer"), self.uow)

    async def ledger(self, part: str | None = None) -> list[tuple[str, str, int, int]]:
        rows = await self.uow.conn.fetch(
            "SELECT l.name, m.kind, m.on_hand_delta, m.reserved_delta FROM inventory.movements m "
            "JOIN inventory.locations l ON l.id = m.location_id WHERE part_number = $1 "
            "AND m.kind <> 'receipt' ORDER BY seq",
            part or self.part,
        )
        return [tuple(r) for r in rows]

    async def level(self, location: str) -> tuple[int, int]:
        for level in await stock.levels(self.uow, self.part):
            if level.location_name.endswith(location):
                return level.balance.on_hand, level.balance.reserved
        return 0, 0

    def events(self, kind: type) -> list:
        return [e for e, _ in self.uow.events if isinstance(e, kind)]


async def a_part(
    uow: UnitOfWork, *, original: bool = True, condition: str = "new", suffix: str = ""
) -> str:
    part = f"PN-{uuid.uuid4().hex[:10]}{suffix}"
    await uow.conn.execute(
        "INSERT INTO inventory.parts (part_number, manufacturer, description, original, "
        "condition, created_at, updated_at) VALUES ($1, 'huawei', 'PSU', $2, $3, $4, $4)",
        part,
        original,
        condition,
        uow.now,
    )
    return part


async def a_ticket(
    uow: UnitOfWork,
    *,
    at: tuple[float, float] | None = BEIJING,
    waiver: str | None = None,
    customer_id: uuid.UUID | None = None,
) -> tuple[uuid.UUID, uuid.UUID]:
    customer_id = customer_id or uuid.uuid4()
    site_id, contract_id, ticket_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    if at is not None:
        await uow.conn.execute(
            "INSERT INTO inventory.sites (id, customer_id, latitude, longitude, as_of) "
            "VALUES ($1, $2, $3, $4, $5)",
            site_id,
            customer_id,
            *at,
            uow.now,
        )
    await uow.conn.execute(
        "INSERT INTO inventory.contracts (id, customer_id, waiver_reference, waiver_signed_by, "
        "waiver_signed_at, as_of) VALUES ($1, $2, $3, $4, $5, $6)",
        contract_id,
        customer_id,
        waiver,
        "Zhang Wei" if waiver else None,
        uow.now if waiver else None,
        uow.now,
    )
    await uow.conn.execute(
        "INSERT INTO inventory.tickets (id, number, priority, received_at, customer_id, "
        "site_id, contract_id) VALUES ($1, $2, 'P2', $3, $4, $5, $6)",
        ticket_id,
        f"T-{ticket_id.hex[:8]}",
        uow.now,
        customer_id,
        site_id if at is not None else None,
        contract_id,
    )
    return ticket_id, contract_id


@pytest.fixture
async def world(uow: UnitOfWork) -> World:
    part = await a_part(uow)
    tag = uuid.uuid4().hex[:6]
    locations = {}
    for name, (lat, lon) in {"Beijing": BEIJING, "Tianjin": TIANJIN, "Shanghai": SHANGHAI}.items():
        locations[name] = uuid.uuid4()
        await uow.conn.execute(
            "INSERT INTO inventory.locations (id, name, kind, latitude, longitude, created_at) "
            "VALUES ($1, $2, 'regional', $3, $4, $5)",
            locations[name],
            f"{tag} {name}",
            lat,
            lon,
            uow.now,
        )
    ticket_id, contract_id = await a_ticket(uow)
    return World(uow, part, locations, ticket_id, contract_id)


def refused(uow: UnitOfWork):
    """Run the refused command in a savepoint, as the command endpoint does."""
    return _Refused(uow)


class _Refused:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def __aenter__(self) -> None:
        self.tx = self.uow.conn.transaction()
        await self.tx.start()

    async def __aexit__(self, *exc) -> bool:
        await self.tx.rollback()
        return False


async def test_a_reservation_is_held_at_the_nearest_location_with_enough_for_two_weeks(world):
    await world.receive("Beijing", 1)
    await world.receive("Tianjin", 5)
    await world.receive("Shanghai", 50)
    row = await world.reserve(2)
    assert row["status"] == "reserved"
    assert row["location_name"].endswith("Tianjin")
    assert 100 < row["distance_km"] < 120
    assert row["expires_at"] == world.uow.now + timedelta(days=14)
    assert await world.ledger() == [(row["location_name"], "reservation", 0, 2)]
    [created] = world.events(ReservationCreated)
    assert (created.reservation_id, created.quantity, created.location_name) == (
        row["id"],
        2,
        row["location_name"],
    )
    assert created.waiver_reference is None


async def test_pick_then_consume_takes_the_part_off_the_shelf(world):
    await world.receive("Beijing", 3)
    row = await world.reserve(2)
    picked = await world.act(row["id"], Move.pick)
    assert picked["status"] == "picked"
    consumed = await handlers.consume(
        ConsumeParts(world.ticket_id, world.part, 2, "coordinator"), world.uow
    )
    assert [r["status"] for r in consumed] == ["consumed"]
    name = row["location_name"]
    assert await world.ledger() == [
        (name, "reservation", 0, 2),
        (name, "pick", 0, 0),
        (name, "consume", -2, -2),
    ]
    assert await world.level("Beijing") == (1, 0)
    [event] = world.events(ReservationConsumed)
    assert (event.reservation_id, event.quantity) == (row["id"], 2)


async def test_a_picked_part_returned_is_free_again_and_released_with_reason_returned(world):
    await world.receive("Beijing", 1)
    row = await world.reserve(1)
    await world.act(row["id"], Move.pick)
    returned = await world.act(row["id"], Move.return_)
    assert (returned["status"], returned["reason"]) == ("returned", "returned")
    assert [kind for _, kind, _, _ in await world.ledger()] == ["reservation", "pick", "return"]
    assert await world.level("Beijing") == (1, 0)
    [event] = world.events(ReservationReleased)
    assert (event.reason, event.quantity, event.location_id) == (
        "returned",
        1,
        world.locations["Beijing"],
    )


async def test_a_release_gives_the_part_back_and_a_second_one_is_an_illegal_move(world):
    await world.receive("Beijing", 1)
    row = await world.reserve(1)
    released = await world.act(row["id"], Move.release)
    assert released["status"] == "released"
    assert await world.level("Beijing") == (1, 0)
    with pytest.raises(IllegalMove) as illegal:
        async with refused(world.uow):
            await world.act(row["id"], Move.release)
    assert illegal.value.context["current_status"] == "released"
    with pytest.raises(IllegalMove):
        async with refused(world.uow):
            await world.act(row["id"], Move.return_)


async def test_a_refurbished_part_is_refused_without_a_waiver_and_nothing_is_booked(world, uow):
    part = await a_part(uow, condition="refurbished")
    await world.receive("Beijing", 5, part=part)
    with pytest.raises(OriginalsOnly) as refusal:
        async with refused(uow):
            await world.reserve(1, part=part)
    assert refusal.value.context["requirement"] == "IV-4"
    assert await world.ledger(part) == []


async def test_with_a_waiver_a_third_party_part_is_reserved_citing_it(world, uow):
    part = await a_part(uow, original=False)
    await world.receive("Beijing", 5, part=part)
    ticket_id, _ = await a_ticket(uow, waiver="WVR-2026-017")
    row = await world.reserve(1, part=part, ticket_id=ticket_id)
    assert row["waiver_reference"] == "WVR-2026-017"
    [created] = world.events(ReservationCreated)
    assert created.waiver_reference == "WVR-2026-017"


async def test_without_enough_at_one_location_it_is_refused_or_backordered_when_asked(world):
    await world.receive("Beijing", 2)
    await world.receive("Tianjin", 2)
    with pytest.raises(NotEnoughStock) as refusal:
        async with refused(world.uow):
            await world.reserve(3)
    assert refusal.value.slug == "insufficient-stock"
    assert refusal.value.context["available"] == 4
    assert refusal.value.context["most_at_one_location"] == 2
    assert "backorder" in refusal.value.detail
    row = await world.reserve(3, backorder=True)
    assert (row["status"], row["location_id"], row["expires_at"]) == ("backordered", None, None)
    assert await world.ledger() == []
    [short] = world.events(PartBackordered)
    assert (short.ticket_id, short.quantity_short) == (world.ticket_id, 3)


async def test_backorders_are_served_oldest_first_when_stock_arrives(world, uow):
    younger_ticket, _ = await a_ticket(uow, at=SHANGHAI)
    oldest = await world.reserve(2, backorder=True)
    uow.now += timedelta(minutes=1)
    younger = await world.reserve(1, backorder=True, ticket_id=younger_ticket)
    # One unit: the younger one would fit, but the oldest is first in the queue.
    await world.receive("Shanghai", 1)
    await handlers.serve_backorders(uow, world.part)
    assert world.events(PartAvailable) == []
    # Two more in Beijing: the oldest is served there, and the queue moves on to the younger.
    await world.receive("Beijing", 2)
    await handlers.serve_backorders(uow, world.part)
    assert [(e.ticket_id, e.quantity_arrived) for e in world.events(PartAvailable)] == [
        (world.ticket_id, 2),
        (younger_ticket, 1),
    ]
    served = await handlers.get(uow, oldest["id"])
    assert (served["status"], served["location_id"]) == ("reserved", world.locations["Beijing"])
    assert served["expires_at"] == uow.now + timedelta(days=14)
    assert (await handlers.get(uow, younger["id"]))["location_id"] == world.locations["Shanghai"]
    assert [e.reservation_id for e in world.events(ReservationCreated)] == [
        oldest["id"],
        younger["id"],
    ]
    assert [kind for _, kind, _, _ in await world.ledger()] == ["reservation", "reservation"]
    await handlers.serve_backorders(uow, world.part)  # nothing waits: nothing more happens
    assert len(world.events(PartAvailable)) == 2


async def test_a_new_request_does_not_overtake_a_waiting_backorder(world, uow):
    other, _ = await a_ticket(uow)
    await world.reserve(5, backorder=True)
    await world.receive("Beijing", 1)
    with pytest.raises(NotEnoughStock) as refusal:
        async with refused(uow):
            await world.reserve(1, ticket_id=other)
    assert refusal.value.context["backorders_waiting"] == 1


async def test_consuming_a_part_never_reserved_for_the_ticket_is_refused_and_changes_nothing(
    world, uow
):
    await world.receive("Beijing", 3)
    other_part = await a_part(uow)
    with pytest.raises(NotReserved) as refusal:
        async with refused(uow):
            await handlers.consume(ConsumeParts(world.ticket_id, other_part, 1, "c"), uow)
    assert refusal.value.slug == "not-reserved"
    row = await world.reserve(1)
    with pytest.raises(NotReserved):
        async with refused(uow):
            await handlers.consume(ConsumeParts(world.ticket_id, world.part, 2, "c"), uow)
    assert (await handlers.get(uow, row["id"]))["status"] == "reserved"
    assert await world.ledger() == [(row["location_name"], "reservation", 0, 1)]


async def test_an_unknown_ticket_or_part_is_refused(world):
    with pytest.raises(TicketNotKnown):
        async with refused(world.uow):
            await world.reserve(1, ticket_id=uuid.uuid4())
    with pytest.raises(PartNotFound):
        async with refused(world.uow):
            await world.reserve(1, part="NO-SUCH-PART")


async def test_an_expired_reservation_is_released_once(world, uow):
    await world.receive("Beijing", 1)
    row = await world.reserve(1)
    uow.now += timedelta(days=14) - timedelta(seconds=1)
    assert await handlers.expire_reservations(ExpireReservations(), uow) == 0
    uow.now += timedelta(seconds=1)
    assert await handlers.expire_reservations(ExpireReservations(), uow) == 1
    assert await handlers.expire_reservations(ExpireReservations(), uow) == 0
    expired = await handlers.get(uow, row["id"])
    assert (expired["status"], expired["reason"]) == ("released", "expired")
    assert [e.reason for e in world.events(ReservationReleased)] == ["expired"]
    assert [kind for _, kind, _, _ in await world.ledger()] == ["reservation", "release"]


async def test_a_cancelled_ticket_gives_back_everything_held_for_it(world, uow):
    await world.receive("Beijing", 2)
    reserved = await world.reserve(1)
    picked = await world.reserve(1)
    await world.act(picked["id"], Move.pick)
    backordered = await world.reserve(4, backorder=True)
    event = TicketCancelled(ticket_id=world.ticket_id, at=uow.now, reason="duplicate")
    await handlers.on_ticket_cancelled(event, ENVELOPE, uow)
    await handlers.on_ticket_cancelled(event, ENVELOPE, uow)  # redelivered: nothing more
    statuses = {
        r["id"]: (r["status"], r["reason"]) for r in await handlers.of_ticket(uow, world.ticket_id)
    }
    assert statuses == {
        reserved["id"]: ("released", "ticket_cancelled"),
        picked["id"]: ("returned", "ticket_cancelled"),
        backordered["id"]: ("released", "ticket_cancelled"),
    }
    assert await world.level("Beijing") == (2, 0)
    assert sorted(e.quantity for e in world.events(ReservationReleased)) == [1, 1, 4]
    with pytest.raises(TicketEnded):
        async with refused(uow):
            await world.reserve(1)


async def test_a_closed_ticket_releases_what_was_not_picked(world, uow):
    await world.receive("Beijing", 2)
    reserved = await world.reserve(1)
    picked = await world.reserve(1)
    await world.act(picked["id"], Move.pick)
    await handlers.on_ticket_closed(
        TicketClosed(ticket_id=world.ticket_id, at=uow.now), ENVELOPE, uow
    )
    assert (await handlers.get(uow, reserved["id"]))["reason"] == "ticket_closed"
    assert (await handlers.get(uow, picked["id"]))["status"] == "picked"
    assert await world.level("Beijing") == (2, 1)


async def test_a_resolved_ticket_consumes_the_parts_used_and_skips_what_was_never_reserved(
    world, uow
):
    await world.receive("Beijing", 5)
    row = await world.reserve(3)
    resolved = TicketResolved(
        ticket_id=world.ticket_id,
        resolved_at=uow.now,
        fault_type="hardware",
        root_cause="PSU fan",
        parts_used=[
            PartUsed(part_number=world.part, quantity=1),
            PartUsed(part_number=world.part, quantity=1),
            PartUsed(part_number="NEVER-RESERVED", quantity=1),
        ],
        engineer_ids=[],
    )
    await handlers.on_ticket_resolved(resolved, ENVELOPE, uow)
    after = await handlers.get(uow, row["id"])
    # Two of three fitted: the third is still held for the ticket.
    assert (after["status"], after["consumed"]) == ("reserved", 2)
    assert await world.level("Beijing") == (3, 1)
    assert [e.quantity for e in world.events(ReservationConsumed)] == [2]
    ticket = await uow.conn.fetchval(
        "SELECT status FROM inventory.tickets WHERE id = $1", world.ticket_id
    )
    assert ticket == "resolved"
    await handlers.on_ticket_reopened(
        TicketReopened(ticket_id=world.ticket_id, at=uow.now), ENVELOPE, uow
    )
    # The rest goes back when it is released: one unit, not the three first asked for.
    await world.act(row["id"], Move.release)
    assert await world.level("Beijing") == (3, 0)
    assert world.events(ReservationReleased)[-1].quantity == 1


async def test_released_stock_goes_to_a_waiting_backorder(world, uow):
    other, _ = await a_ticket(uow)
    await world.receive("Beijing", 1)
    held = await world.reserve(1)
    waiting = await world.reserve(1, backorder=True, ticket_id=other)
    await world.act(held["id"], Move.release)
    assert (await handlers.get(uow, waiting["id"]))["status"] == "reserved"
    assert [e.ticket_id for e in world.events(PartAvailable)] == [other]
