"""Stock: every movement booked through one door. Glue only; never commit."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from services.inventory.locations.handlers import known_location
from services.inventory.parts import store as parts
from services.inventory.parts.rules import PartNotFound
from services.inventory.stock import rules, store
from services.inventory.stock.commands import (
    AdjustStock,
    ReceiveStock,
    SignOffReceipt,
    TransferStock,
)
from services.inventory.stock.ledger import Level, MovementKind
from services.inventory.stock.rules import ReceiptNotFound, crossed_reorder_point
from services.inventory.stock.store import Booking
from shared.db import UnitOfWork
from shared.events.inventory import ReceiptSignedOff, StockLow, StockReceived


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


async def receive(command: ReceiveStock, uow: UnitOfWork) -> dict[str, Any]:
    """IV-6: book a delivery in; its inspection is due within 2 days."""
    await store.lock_part(uow.conn, command.part_number)
    location = await known_location(uow, command.location_id)
    # The receipt first: a delivery reference already received is refused before any unit
    # is booked.
    receipt = await store.insert_receipt(
        uow.conn,
        uuid.uuid4(),
        command.part_number,
        command.location_id,
        command.quantity,
        command.delivery_reference,
        at=uow.now,
        by=command.by,
        inspect_by=rules.inspect_by(uow.now),
    )
    await move(
        uow,
        command.part_number,
        command.location_id,
        MovementKind.receipt,
        command.quantity,
        Booking(by=command.by, at=uow.now, reference=command.delivery_reference),
    )
    uow.publish(
        StockReceived(
            part_number=command.part_number,
            location_id=command.location_id,
            location_name=location["name"],
            quantity=command.quantity,
            delivery_reference=command.delivery_reference,
            receipt_id=receipt["id"],
            at=uow.now,
        )
    )
    return _receipt(receipt, uow.now)


async def sign_off(command: SignOffReceipt, uow: UnitOfWork) -> dict[str, Any]:
    """IV-6: record the inspection and both signatures, once; book out what was rejected."""
    found = await _existing_receipt(uow, command.receipt_id)
    await store.lock_part(uow.conn, found["part_number"])
    # Read again under the part's lock, which every writer of the receipt holds: a sign-off
    # that committed while this one waited is seen here.
    receipt = await _existing_receipt(uow, command.receipt_id)
    if receipt["inspected_at"] is not None:
        raise rules.AlreadySignedOff(
            f"receipt {command.receipt_id} was signed off at {receipt['inspected_at']}",
            receipt_id=str(command.receipt_id),
            signed_by_us=receipt["signed_by_us"],
        )
    rejected = rules.rejected_at_inspection(
        receipt["id"], receipt["quantity"], command.accepted_quantity
    )
    signed = await store.sign_off(
        uow.conn,
        command.receipt_id,
        at=uow.now,
        accepted_quantity=command.accepted_quantity,
        notes=command.notes,
        signed_by_us=command.signed_by_us,
        signed_by_counterparty=command.signed_by_counterparty,
        counterparty=command.counterparty.value,
    )
    if signed is None:
        raise rules.AlreadySignedOff(f"receipt {command.receipt_id} was already signed off")
    if rejected:
        # Refused (409) when the rejected units were promised to a ticket meanwhile.
        await move(
            uow,
            receipt["part_number"],
            receipt["location_id"],
            MovementKind.adjustment,
            -rejected,
            Booking(
                by=command.by,
                at=uow.now,
                reference=receipt["delivery_reference"],
                reason=rules.rejection_reason(command.notes),
            ),
        )
    uow.publish(
        ReceiptSignedOff(
            part_number=receipt["part_number"],
            receipt_id=receipt["id"],
            location_id=receipt["location_id"],
            delivery_reference=receipt["delivery_reference"],
            quantity=receipt["quantity"],
            accepted_quantity=command.accepted_quantity,
            counterparty=command.counterparty.value,
            signed_by_us=command.signed_by_us,
            signed_by_counterparty=command.signed_by_counterparty,
            at=uow.now,
        )
    )
    return _receipt(signed, uow.now)


async def transfer(command: TransferStock, uow: UnitOfWork) -> dict[str, Any]:
    rules.check_transfer(command.from_location_id, command.to_location_id)
    await store.lock_part(uow.conn, command.part_number)
    await known_location(uow, command.from_location_id)
    await known_location(uow, command.to_location_id)
    transfer_id = uuid.uuid4()
    booking = Booking(by=command.by, at=uow.now, reference=str(transfer_id))
    # Out first: more than is available at the source is refused before anything lands.
    await move(
        uow,
        command.part_number,
        command.from_location_id,
        MovementKind.transfer_out,
        command.quantity,
        booking,
    )
    await move(
        uow,
        command.part_number,
        command.to_location_id,
        MovementKind.transfer_in,
        command.quantity,
        booking,
    )
    return await store.insert_transfer(
        uow.conn,
        transfer_id,
        command.part_number,
        command.from_location_id,
        command.to_location_id,
        command.quantity,
        at=uow.now,
        by=command.by,
    )


async def adjust(command: AdjustStock, uow: UnitOfWork) -> dict[str, Any]:
    await store.lock_part(uow.conn, command.part_number)
    await known_location(uow, command.location_id)
    return _movement(
        await move(
            uow,
            command.part_number,
            command.location_id,
            MovementKind.adjustment,
            command.quantity,
            Booking(by=command.by, at=uow.now, reason=command.reason),
        )
    )


async def get_receipt(uow: UnitOfWork, receipt_id: UUID) -> dict[str, Any] | None:
    receipt = await store.get_receipt(uow.conn, receipt_id)
    return None if receipt is None else _receipt(receipt, uow.now)


async def list_receipts(
    uow: UnitOfWork,
    *,
    after: tuple[datetime, UUID] | None,
    limit: int,
    part_number: str | None = None,
    location_id: UUID | None = None,
    overdue: bool = False,
) -> list[dict[str, Any]]:
    rows = await store.receipts(
        uow.conn,
        after=after,
        limit=limit,
        part_number=part_number,
        location_id=location_id,
        overdue_at=uow.now if overdue else None,
    )
    return [_receipt(r, uow.now) for r in rows]


async def ledger(
    uow: UnitOfWork, part_number: str, *, location_id: UUID | None, after_seq: int, limit: int
) -> list[dict[str, Any]]:
    """The part's movements in the order they were booked, each with the balance after it."""
    if await parts.get(uow.conn, part_number) is None:
        raise PartNotFound(f"no part {part_number}", part_number=part_number)
    rows = await store.ledger(
        uow.conn, part_number, location_id=location_id, after_seq=after_seq, limit=limit
    )
    return [_movement(r) for r in rows]


async def part_levels(uow: UnitOfWork, part_number: str) -> list[Level]:
    if await parts.get(uow.conn, part_number) is None:
        raise PartNotFound(f"no part {part_number}", part_number=part_number)
    return await store.levels(uow.conn, part_number)


async def _existing_receipt(uow: UnitOfWork, receipt_id: UUID) -> dict[str, Any]:
    receipt = await store.get_receipt(uow.conn, receipt_id)
    if receipt is None:
        raise ReceiptNotFound(f"no receipt {receipt_id}", receipt_id=str(receipt_id))
    return receipt


def _receipt(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {**row, "overdue": rules.is_overdue(row["inspected_at"], row["inspect_by"], now)}


def _movement(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "available_after": row["on_hand_after"] - row["reserved_after"]}
