"""Stock: every movement booked through one door. Glue only; never commit."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.inventory.stock import store
from services.inventory.stock.ledger import Level, MovementKind
from services.inventory.stock.rules import crossed_reorder_point
from services.inventory.stock.store import Booking
from shared.db import UnitOfWork
from shared.events.inventory import StockLow


async def move(
    uow: UnitOfWork,
    part_number: str,
    location_id: UUID,
    kind: MovementKind,
    quantity: int,
    booking: Booking,
) -> dict[str, Any]:
    """Book one movement of a part the caller has locked (`store.lock_part`), and tell the
    ops team when it takes the location below its reorder point."""
    row = await store.append(uow.conn, part_number, location_id, kind, quantity, booking)
    if row["on_hand_delta"] < 0 or row["reserved_delta"] > 0:
        point = await store.reorder_point(uow.conn, part_number, location_id)
        before = (row["on_hand_after"] - row["on_hand_delta"]) - (
            row["reserved_after"] - row["reserved_delta"]
        )
        after = row["on_hand_after"] - row["reserved_after"]
        if point is not None and crossed_reorder_point(before, after, point.reorder_point):
            uow.publish(
                StockLow(
                    part_number=part_number,
                    location_id=location_id,
                    location_name=point.location_name,
                    available=after,
                    reorder_point=point.reorder_point,
                    at=uow.now,
                )
            )
    return row


async def levels(uow: UnitOfWork, part_number: str) -> list[Level]:
    return await store.levels(uow.conn, part_number)
