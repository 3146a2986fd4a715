"""Stock that arrives at a location serves the part's backorders in the same transaction, oldest
first: a receipt, a transfer in, or a count corrected upwards.

Composed here rather than inside the stock handlers because reservations build on the ledger
(`reservations -> stock`); the ledger must not know about reservations. Never commit.
"""

from __future__ import annotations

from typing import Any

from services.inventory.reservations.handlers import serve_backorders
from services.inventory.stock import handlers
from services.inventory.stock.commands import AdjustStock, ReceiveStock, TransferStock
from shared.db import UnitOfWork


async def receive(command: ReceiveStock, uow: UnitOfWork) -> dict[str, Any]:
    receipt = await handlers.receive(command, uow)
    await serve_backorders(uow, command.part_number)
    return receipt


async def transfer(command: TransferStock, uow: UnitOfWork) -> dict[str, Any]:
    moved = await handlers.transfer(command, uow)
    await serve_backorders(uow, command.part_number)
    return moved


async def adjust(command: AdjustStock, uow: UnitOfWork) -> dict[str, Any]:
    row = await handlers.adjust(command, uow)
    if command.quantity > 0:
        await serve_backorders(uow, command.part_number)
    return row
