"""Goods receipt, transfers, adjustments and the ledger on real PostgreSQL (a rollback per
test): every refusal names what was wrong and leaves nothing booked."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal

import asyncpg
import pytest

from services.inventory.locations.commands import RegisterLocation
from services.inventory.locations.handlers import register_location
from services.inventory.locations.rules import LocationKind, LocationNameTaken, UnknownLocation
from services.inventory.parts.commands import RegisterPart, SetReorderPoint, UpdatePart
from services.inventory.parts.handlers import register_part, set_reorder_point, update_part
from services.inventory.parts.rules import PartExists, PartNotFound
from services.inventory.stock import store
from services.inventory.stock.commands import (
    AdjustStock,
    ReceiveStock,
    SignOffReceipt,
    TransferStock,
)
from services.inventory.stock.handlers import (
    adjust,
    ledger,
    list_receipts,
    move,
    part_levels,
    receive,
    sign_off,
    transfer,
)
from services.inventory.stock.ledger import InsufficientStock, MovementKind
from services.inventory.stock.rules import (
    AlreadySignedOff,
    Counterparty,
    DeliveryAlreadyReceived,
    MoreAcceptedThanReceived,
)
from services.inventory.stock.store import Booking, LedgerRaced
from shared.db import UnitOfWork, asyncpg_dsn, create_pool
from shared.events.inventory import ReceiptSignedOff, StockLow, StockReceived
from shared.settings import Settings

BY = "stores@fieldops"


@pytest.fixture
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(settings, max_size=2)
    yield pool
    await pool.close()


@pytest.fixture
async def uow(pool: asyncpg.Pool, settings: Settings) -> AsyncIterator[UnitOfWork]:
    # Never committed: each test leaves the database as it found it.
    async with UnitOfWork(pool, settings) as unit:
        yield unit


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def a_part(uow: UnitOfWork) -> str:
    number = unique("PN")
    await register_part(uow, RegisterPart(number, "hp", "Fan module", models=("DL380",)))
    return number


async def a_location(uow: UnitOfWork, name: str | None = None) -> uuid.UUID:
    row, _ = await register_location(
        uow,
        RegisterLocation(name or unique("Depot"), LocationKind.site_depot, 39.9, 116.4),
    )
    return row["id"]


async def receive_n(uow: UnitOfWork, part: str, where: uuid.UUID, n: int) -> dict:
    return await receive(ReceiveStock(part, where, n, unique("DN"), BY), uow)


async def movements(uow: UnitOfWork, part: str) -> int:
    return await uow.conn.fetchval(
        "SELECT count(*) FROM inventory.movements WHERE part_number = $1", part
    )


async def available(uow: UnitOfWork, part: str, where: uuid.UUID) -> int:
    return (await store.balance(uow.conn, part, where)).available


async def refused(uow: UnitOfWork, error: type[Exception], coro) -> Exception:
    """Run a command in a savepoint, as the command endpoint does, expecting its refusal."""
    with pytest.raises(error) as caught:
        async with uow.conn.transaction():
            await coro
    return caught.value


# --- the catalogue and locations ---


async def test_a_part_number_registered_twice_is_refused(uow):
    number = await a_part(uow)
    await refused(uow, PartExists, register_part(uow, RegisterPart(number, "hp", "Other")))


async def test_a_part_keeps_its_cost_and_only_the_fields_sent_change(uow):
    number = unique("PN")
    part, [event] = await register_part(
        uow, RegisterPart(number, "hp", "PSU", unit_cost=Decimal("129.90"))
    )
    assert part["unit_cost"] == Decimal("129.90") and "unit_cost" not in event.model_dump()
    changed = await update_part(uow, UpdatePart(number, {"models": ["DL360"], "original": False}))
    assert (changed["models"], changed["original"], changed["description"]) == (
        ["DL360"],
        False,
        "PSU",
    )
    assert changed["unit_cost"] == Decimal("129.90")


async def test_a_location_name_is_unique(uow):
    name = unique("Shanghai office")
    await a_location(uow, name)
    await refused(uow, LocationNameTaken, a_location(uow, name))


async def test_a_reorder_point_at_an_unknown_location_or_for_an_unknown_part_is_refused(uow):
    part, where = await a_part(uow), await a_location(uow)
    await refused(
        uow, UnknownLocation, set_reorder_point(uow, SetReorderPoint(part, uuid.uuid4(), 2))
    )
    await refused(uow, PartNotFound, set_reorder_point(uow, SetReorderPoint("NOPE-1", where, 2)))
    await set_reorder_point(uow, SetReorderPoint(part, where, 2))
    row = await set_reorder_point(uow, SetReorderPoint(part, where, 5))
    assert row["reorder_point"] == 5


# --- goods receipt (IV-6) ---


async def test_a_receipt_books_the_delivery_in_and_its_inspection_is_due_in_two_days(uow):
    part, where = await a_part(uow), await a_location(uow, unique("Beijing"))
    receipt = await receive(ReceiveStock(part, where, 3, "DN-0042-" + part, BY), uow)
    assert receipt["inspect_by"] == uow.now + timedelta(days=2)
    assert (receipt["received_by"], receipt["overdue"]) == (BY, False)
    [row] = await ledger(uow, part, location_id=None, after_seq=0, limit=10)
    assert (row["kind"], row["on_hand_after"], row["reference"]) == (
        "receipt",
        3,
        "DN-0042-" + part,
    )
    [(event, _)] = uow.events
    assert isinstance(event, StockReceived)
    assert (event.quantity, event.receipt_id, event.location_id) == (3, receipt["id"], where)


async def test_a_delivery_reference_already_received_is_refused_and_nothing_is_booked(uow):
    part, where = await a_part(uow), await a_location(uow)
    reference = unique("DN")
    await receive(ReceiveStock(part, where, 3, reference, BY), uow)
    error = await refused(
        uow, DeliveryAlreadyReceived, receive(ReceiveStock(part, where, 3, reference, BY), uow)
    )
    assert error.context == {"delivery_reference": reference}
    assert await movements(uow, part) == 1
    assert await available(uow, part, where) == 3


async def test_a_receipt_for_an_unknown_part_or_location_is_refused(uow):
    part, where = await a_part(uow), await a_location(uow)
    await refused(
        uow, PartNotFound, receive(ReceiveStock("NOPE-2", where, 1, unique("DN"), BY), uow)
    )
    await refused(
        uow, UnknownLocation, receive(ReceiveStock(part, uuid.uuid4(), 1, unique("DN"), BY), uow)
    )
    assert await movements(uow, part) == 0


async def test_receipts_not_inspected_within_two_days_are_listed_as_overdue(uow):
    part, where = await a_part(uow), await a_location(uow)
    late = await receive_n(uow, part, where, 1)
    signed = await receive_n(uow, part, where, 1)
    await sign_off(
        SignOffReceipt(signed["id"], 1, "Li Na", "Wang (SF)", Counterparty.carrier, None, BY), uow
    )
    uow.now += timedelta(days=2, minutes=1)
    fresh = await receive_n(uow, part, where, 1)
    overdue = await list_receipts(uow, after=None, limit=10, part_number=part, overdue=True)
    assert [r["id"] for r in overdue] == [late["id"]] and overdue[0]["overdue"]
    every = await list_receipts(uow, after=None, limit=10, part_number=part)
    # Oldest first; the two received at the same instant in id order.
    assert [r["id"] for r in every] == [*sorted([late["id"], signed["id"]]), fresh["id"]]


async def test_a_sign_off_records_both_signatures_and_books_the_rejected_units_out(uow):
    part, where = await a_part(uow), await a_location(uow)
    receipt = await receive_n(uow, part, where, 5)
    uow.events.clear()
    signed = await sign_off(
        SignOffReceipt(
            receipt["id"], 3, "Li Na", "Zhang Wei", Counterparty.customer, "2 cracked", BY
        ),
        uow,
    )
    assert (signed["signed_by_us"], signed["signed_by_counterparty"], signed["counterparty"]) == (
        "Li Na",
        "Zhang Wei",
        "customer",
    )
    assert (signed["accepted_quantity"], signed["inspected_at"]) == (3, uow.now)
    rows = await ledger(uow, part, location_id=where, after_seq=0, limit=10)
    assert [(r["kind"], r["on_hand_delta"], r["on_hand_after"]) for r in rows] == [
        ("receipt", 5, 5),
        ("adjustment", -2, 3),
    ]
    assert rows[1]["reason"] == "rejected at inspection: 2 cracked"
    assert [type(e) for e, _ in uow.events] == [ReceiptSignedOff]


async def test_a_receipt_is_signed_off_once(uow):
    part, where = await a_part(uow), await a_location(uow)
    receipt = await receive_n(uow, part, where, 2)
    command = SignOffReceipt(receipt["id"], 1, "Li Na", "Wang", Counterparty.carrier, "bent", BY)
    await sign_off(command, uow)
    await refused(uow, AlreadySignedOff, sign_off(command, uow))
    assert await available(uow, part, where) == 1


async def test_a_sign_off_accepting_more_than_received_is_refused(uow):
    part, where = await a_part(uow), await a_location(uow)
    receipt = await receive_n(uow, part, where, 2)
    command = SignOffReceipt(receipt["id"], 3, "Li Na", "Wang", Counterparty.carrier, None, BY)
    await refused(uow, MoreAcceptedThanReceived, sign_off(command, uow))


async def test_rejecting_units_already_reserved_for_a_ticket_is_refused_and_nothing_changes(uow):
    part, where = await a_part(uow), await a_location(uow)
    receipt = await receive_n(uow, part, where, 2)
    await move(
        uow, part, where, MovementKind.reservation, 2, Booking(BY, uow.now, ticket_id=uuid.uuid4())
    )
    command = SignOffReceipt(receipt["id"], 1, "Li Na", "Wang", Counterparty.carrier, "dent", BY)
    await refused(uow, InsufficientStock, sign_off(command, uow))
    assert (await store.get_receipt(uow.conn, receipt["id"]))["inspected_at"] is None
    assert await movements(uow, part) == 2


# --- transfers and adjustments ---


async def test_a_transfer_books_out_at_the_source_and_in_at_the_destination(uow):
    part, here, there = await a_part(uow), await a_location(uow), await a_location(uow)
    await receive_n(uow, part, here, 5)
    moved = await transfer(TransferStock(part, here, there, 2, BY), uow)
    rows = await ledger(uow, part, location_id=None, after_seq=0, limit=10)
    assert [(r["kind"], r["location_id"], r["reference"]) for r in rows[1:]] == [
        ("transfer_out", here, str(moved["id"])),
        ("transfer_in", there, str(moved["id"])),
    ]
    assert (await available(uow, part, here), await available(uow, part, there)) == (3, 2)


async def test_a_transfer_of_more_than_is_available_is_refused_and_nothing_is_booked(uow):
    part, here, there = await a_part(uow), await a_location(uow), await a_location(uow)
    await receive_n(uow, part, here, 3)
    await move(uow, part, here, MovementKind.reservation, 1, Booking(BY, uow.now))
    error = await refused(
        uow, InsufficientStock, transfer(TransferStock(part, here, there, 3, BY), uow)
    )
    assert error.context == {"available": 2}
    assert await movements(uow, part) == 2
    assert (
        await uow.conn.fetchval(
            "SELECT count(*) FROM inventory.transfers WHERE part_number = $1", part
        )
        == 0
    )


async def test_a_transfer_to_an_unknown_location_is_refused(uow):
    part, here = await a_part(uow), await a_location(uow)
    await receive_n(uow, part, here, 3)
    await refused(
        uow, UnknownLocation, transfer(TransferStock(part, here, uuid.uuid4(), 1, BY), uow)
    )
    assert await movements(uow, part) == 1


async def test_an_adjustment_down_below_what_is_reserved_is_refused(uow):
    part, where = await a_part(uow), await a_location(uow)
    await receive_n(uow, part, where, 4)
    await move(uow, part, where, MovementKind.reservation, 3, Booking(BY, uow.now))
    await refused(uow, InsufficientStock, adjust(AdjustStock(part, where, -2, "count", BY), uow))
    row = await adjust(AdjustStock(part, where, -1, "found one broken on the shelf", BY), uow)
    assert (row["on_hand_after"], row["reserved_after"], row["available_after"]) == (3, 3, 0)
    assert row["reason"] == "found one broken on the shelf"


# --- the ledger and levels ---


async def test_the_ledger_lists_a_parts_movements_in_order_with_the_balance_after_each(uow):
    part, here, there = await a_part(uow), await a_location(uow), await a_location(uow)
    await receive_n(uow, part, here, 5)
    await receive_n(uow, part, there, 1)
    await adjust(AdjustStock(part, here, -1, "count", BY), uow)
    every = await ledger(uow, part, location_id=None, after_seq=0, limit=10)
    assert [(r["location_id"], r["position"], r["on_hand_after"]) for r in every] == [
        (here, 1, 5),
        (there, 1, 1),
        (here, 2, 4),
    ]
    page = await ledger(uow, part, location_id=None, after_seq=every[0]["seq"], limit=1)
    assert [r["seq"] for r in page] == [every[1]["seq"]]
    only_here = await ledger(uow, part, location_id=here, after_seq=0, limit=10)
    assert [r["on_hand_after"] for r in only_here] == [5, 4]
    levels = {level.location_id: level.balance.on_hand for level in await part_levels(uow, part)}
    assert levels == {here: 4, there: 1}


async def test_stock_low_is_published_once_per_fall_below_the_reorder_point(uow):
    part, where = await a_part(uow), await a_location(uow)
    await set_reorder_point(uow, SetReorderPoint(part, where, 2))
    await receive_n(uow, part, where, 3)
    uow.events.clear()
    for _ in range(3):  # 3 -> 2 -> 1 (falls below) -> 0 (still below)
        await adjust(AdjustStock(part, where, -1, "count", BY), uow)
    await receive_n(uow, part, where, 5)  # back above
    await move(uow, part, where, MovementKind.reservation, 4, Booking(BY, uow.now))  # falls again
    lows = [e for e, _ in uow.events if isinstance(e, StockLow)]
    assert [(e.available, e.reorder_point) for e in lows] == [(1, 2), (1, 2)]


async def waiting_on_a_lock(settings: Settings, conn: asyncpg.Connection) -> None:
    """Until `conn`'s statement waits for another transaction (here: on the unique index)."""
    pid = conn.get_server_pid()
    observer = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    try:
        async with asyncio.timeout(10):
            while not await observer.fetchval(
                "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1", pid
            ):
                await asyncio.sleep(0.01)
    finally:
        await observer.close()


async def test_a_writer_that_skipped_the_part_lock_cannot_book_from_a_stale_balance(pool, settings):
    async with UnitOfWork(pool, settings) as setup:
        part, where = await a_part(setup), await a_location(setup)
        await setup.commit()
    async with UnitOfWork(pool, settings) as first, UnitOfWork(pool, settings) as second:
        # Neither took lock_part: both read the empty balance and append position 1.
        await store.append(first.conn, part, where, MovementKind.receipt, 1, Booking(BY, first.now))
        racing = asyncio.create_task(
            store.append(second.conn, part, where, MovementKind.receipt, 1, Booking(BY, second.now))
        )
        await waiting_on_a_lock(settings, second.conn)
        await first.commit()
        with pytest.raises(LedgerRaced):
            await racing


async def test_two_sign_offs_of_one_receipt_at_once_sign_it_once(pool, settings):
    async with UnitOfWork(pool, settings) as setup:
        part, where = await a_part(setup), await a_location(setup)
        receipt = await receive_n(setup, part, where, 4)
        await setup.commit()
    command = SignOffReceipt(receipt["id"], 3, "Li Na", "Wang", Counterparty.carrier, "dent", BY)
    async with UnitOfWork(pool, settings) as first, UnitOfWork(pool, settings) as second:
        await sign_off(command, first)
        racing = asyncio.create_task(sign_off(command, second))
        await waiting_on_a_lock(settings, second.conn)  # on the part's row
        await first.commit()
        with pytest.raises(AlreadySignedOff):
            await racing
        assert await available(second, part, where) == 3
