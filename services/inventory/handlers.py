"""Inventory's commands and the events it reacts to. They run inside a unit of work and never commit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg

from services.inventory import domain
from services.inventory.schemas import PartCreate, StockReceipt
from shared.db import UnitOfWork
from shared.events.contracts import PartRegistered, PartStockReceived, TicketCreated
from shared.events.envelope import Envelope
from shared.http.creation import Created


async def register_part(uow: UnitOfWork, command: PartCreate) -> Created:
    try:
        row = await uow.conn.fetchrow(
            "INSERT INTO inventory.parts (part_number, vendor, description, created_at) VALUES ($1, $2, $3, now()) "
            "RETURNING part_number, vendor, description, created_at",
            command.part_number, command.vendor, command.description,
        )
    except asyncpg.UniqueViolationError:
        raise domain.PartExists(f"part {command.part_number} is already registered") from None
    return dict(row), [PartRegistered(part_number=command.part_number, vendor=command.vendor,
                                      description=command.description)]


async def receive_stock(uow: UnitOfWork, command: StockReceipt) -> Created:
    """IV-6: a delivery booked into a warehouse raises its stock."""
    part_number = command.part_number
    if await uow.conn.fetchval("SELECT 1 FROM inventory.parts WHERE part_number = $1", part_number) is None:
        raise domain.PartNotFound(f"no part {part_number}")
    now = datetime.now(UTC)
    receipt = await uow.conn.fetchrow(
        "INSERT INTO inventory.receipts (id, part_number, warehouse, quantity, received_at) VALUES ($1, $2, $3, $4, $5) "
        "RETURNING id, part_number, warehouse, quantity, received_at",
        uuid.uuid4(), part_number, command.warehouse, command.quantity, now,
    )
    try:
        await uow.conn.execute(
            "INSERT INTO inventory.stock (part_number, warehouse, on_hand, reserved) VALUES ($1, $2, $3, 0) "
            "ON CONFLICT (part_number, warehouse) DO UPDATE SET on_hand = inventory.stock.on_hand + EXCLUDED.on_hand",
            part_number, command.warehouse, command.quantity,
        )
    except asyncpg.NumericValueOutOfRangeError:
        # on_hand is a 32-bit integer: a count past it is a booking error, not a server fault.
        # The receipt row above goes with the savepoint the refusal rolls back.
        raise domain.StockCounterFull(f"{command.warehouse} cannot hold {command.quantity} more of {part_number}",
                                      warehouse=command.warehouse) from None
    return dict(receipt), [PartStockReceived(part_number=part_number, warehouse=command.warehouse,
                                              quantity=command.quantity, received_at=now)]


async def part_vendor(uow: UnitOfWork, part_number: str) -> str | None:
    return await uow.conn.fetchval("SELECT vendor FROM inventory.parts WHERE part_number = $1", part_number)


async def stock_levels(uow: UnitOfWork, part_number: str) -> list[domain.StockLevel]:
    records = await uow.conn.fetch(
        "SELECT warehouse, on_hand, reserved FROM inventory.stock WHERE part_number = $1 ORDER BY warehouse", part_number
    )
    return [domain.StockLevel(r["warehouse"], r["on_hand"], r["reserved"]) for r in records]


async def on_ticket_created(event: TicketCreated, envelope: Envelope, uow: UnitOfWork) -> None:
    await uow.conn.execute(
        "INSERT INTO inventory.tickets (id, number, priority, received_at) VALUES ($1, $2, $3, now()) "
        "ON CONFLICT (id) DO NOTHING",
        event.ticket_id, event.number, event.priority,
    )


EVENT_HANDLERS = {TicketCreated.type: on_ticket_created}
