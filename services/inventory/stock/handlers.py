"""Stock: deliveries booked in, and what can be had. Glue only; never commit."""

from __future__ import annotations

import uuid
from typing import Any

from services.inventory.stock import store
from services.inventory.stock.commands import ReceiveStock
from services.inventory.stock.rules import StockLevel
from shared.db import UnitOfWork
from shared.events.base import Event
from shared.events.inventory import PartStockReceived

Created = tuple[dict[str, Any], list[Event]]


async def receive_stock(uow: UnitOfWork, command: ReceiveStock) -> Created:
    """IV-6: a delivery booked into a warehouse raises its stock. A refusal (unknown part, a
    count out of range) rolls back with the caller's savepoint, the receipt row with it."""
    receipt = await store.insert_receipt(
        uow.conn, uuid.uuid4(), command.part_number, command.warehouse, command.quantity, uow.now
    )
    await store.add_on_hand(uow.conn, command.part_number, command.warehouse, command.quantity)
    return receipt, [
        PartStockReceived(
            part_number=command.part_number,
            warehouse=command.warehouse,
            quantity=command.quantity,
            received_at=uow.now,
        )
    ]


async def stock_levels(uow: UnitOfWork, part_number: str) -> list[StockLevel]:
    return await store.levels(uow.conn, part_number)
