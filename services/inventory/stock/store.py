"""Every SQL statement about the stock ledger, as constants.

Writers of one part are serialized on the part's catalogue row (`lock_part`): a reservation
reads every location's balance to find the nearest with stock, so the lock must cover them
all. The ledger's unique (part, location, position) is the last line: a writer that skipped
the lock and appended from a stale balance fails instead of promising a unit twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from asyncpg import Connection

from services.inventory.parts.rules import PartNotFound
from services.inventory.stock.ledger import Balance, Level, MovementKind, book
from services.inventory.stock.rules import DeliveryAlreadyReceived
from shared.sql import Filters

_LOCK_PART = "SELECT part_number FROM inventory.parts WHERE part_number = $1 FOR UPDATE"

# The latest row per location is the balance there: one backward probe of the unique
# (part, location, position) index per part and location, however long the part's history.
_LEVELS = """
SELECT p.part_number, l.id, l.name, l.kind, l.latitude, l.longitude,
       m.on_hand_after, m.reserved_after, m.position
FROM unnest($1::text[]) AS p(part_number)
CROSS JOIN inventory.locations l
CROSS JOIN LATERAL (
    SELECT on_hand_after, reserved_after, position FROM inventory.movements
    WHERE part_number = p.part_number AND location_id = l.id ORDER BY position DESC LIMIT 1
) m
ORDER BY p.part_number, l.name"""
_BALANCE = """
SELECT on_hand_after, reserved_after, position FROM inventory.movements
WHERE part_number = $1 AND location_id = $2 ORDER BY position DESC LIMIT 1"""
MOVEMENT_COLUMNS = (
    "seq, part_number, location_id, position, kind, on_hand_delta, reserved_delta, "
    "on_hand_after, reserved_after, reservation_id, ticket_id, reference, reason, by, at"
)
_APPEND = f"""
INSERT INTO inventory.movements (part_number, location_id, position, kind, on_hand_delta,
    reserved_delta, on_hand_after, reserved_after, reservation_id, ticket_id, reference, reason,
    by, at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
RETURNING {MOVEMENT_COLUMNS}"""
_REORDER_POINT = """
SELECT r.reorder_point, l.name FROM inventory.reorder_points r
JOIN inventory.locations l ON l.id = r.location_id
WHERE r.part_number = $1 AND r.location_id = $2"""
_LEDGER = f"""
SELECT {MOVEMENT_COLUMNS} FROM inventory.movements
WHERE part_number = $1 AND ($2::uuid IS NULL OR location_id = $2) AND seq > $3
ORDER BY seq LIMIT $4"""

RECEIPT_COLUMNS = (
    "id, part_number, location_id, quantity, delivery_reference, received_at, received_by, "
    "inspect_by, inspected_at, accepted_quantity, inspection_notes, signed_by_us, "
    "signed_by_counterparty, counterparty"
)
_INSERT_RECEIPT = f"""
INSERT INTO inventory.receipts (id, part_number, location_id, quantity, delivery_reference,
    received_at, received_by, inspect_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING {RECEIPT_COLUMNS}"""
_GET_RECEIPT = f"SELECT {RECEIPT_COLUMNS} FROM inventory.receipts WHERE id = $1"
_SIGN_OFF = f"""
UPDATE inventory.receipts SET inspected_at = $2, accepted_quantity = $3, inspection_notes = $4,
    signed_by_us = $5, signed_by_counterparty = $6, counterparty = $7
WHERE id = $1 AND inspected_at IS NULL
RETURNING {RECEIPT_COLUMNS}"""
_LIST_RECEIPTS = f"SELECT {RECEIPT_COLUMNS} FROM inventory.receipts"
TRANSFER_COLUMNS = "id, part_number, from_location_id, to_location_id, quantity, at, by"
_INSERT_TRANSFER = f"""
INSERT INTO inventory.transfers (id, part_number, from_location_id, to_location_id, quantity,
    at, by)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING {TRANSFER_COLUMNS}"""


@dataclass(frozen=True, slots=True)
class ReorderPoint:
    reorder_point: int
    location_name: str


class LedgerRaced(Exception):
    """Two writers appended the same position: one skipped `lock_part`. A bug, not a refusal."""


@dataclass(frozen=True, slots=True)
class Booking:
    """What a movement is booked against, beside its part, location, kind and quantity."""

    by: str
    at: datetime
    reservation_id: UUID | None = None
    ticket_id: UUID | None = None
    reference: str | None = None
    reason: str | None = None


async def lock_part(conn: Connection, part_number: str) -> None:
    """Hold the part's stock until the transaction ends; PartNotFound when there is none."""
    if await conn.fetchval(_LOCK_PART, part_number) is None:
        raise PartNotFound(f"no part {part_number}", part_number=part_number)


async def levels(conn: Connection, part_number: str) -> list[Level]:
    """The part's balance at every location it ever moved at, by location name."""
    return (await levels_of(conn, [part_number]))[part_number]


async def levels_of(conn: Connection, part_numbers: list[str]) -> dict[str, list[Level]]:
    """`levels` of each part, in one statement (a page of parts); a part never moved has []."""
    found: dict[str, list[Level]] = {number: [] for number in part_numbers}
    for r in await conn.fetch(_LEVELS, part_numbers):
        found[r["part_number"]].append(
            Level(
                r["id"],
                r["name"],
                r["latitude"],
                r["longitude"],
                Balance(r["on_hand_after"], r["reserved_after"], r["position"]),
                r["kind"],
            )
        )
    return found


async def balance(conn: Connection, part_number: str, location_id: UUID) -> Balance:
    row = await conn.fetchrow(_BALANCE, part_number, location_id)
    if row is None:
        return Balance()
    return Balance(row["on_hand_after"], row["reserved_after"], row["position"])


async def append(
    conn: Connection,
    part_number: str,
    location_id: UUID,
    kind: MovementKind,
    quantity: int,
    booking: Booking,
) -> dict[str, Any]:
    """Book one movement (the caller holds `lock_part`); the ledger row, with the balance after."""
    before = await balance(conn, part_number, location_id)
    after = book(before, kind, quantity)
    try:
        row = await conn.fetchrow(
            _APPEND,
            part_number,
            location_id,
            after.position,
            kind.value,
            after.on_hand - before.on_hand,
            after.reserved - before.reserved,
            after.on_hand,
            after.reserved,
            booking.reservation_id,
            booking.ticket_id,
            booking.reference,
            booking.reason,
            booking.by,
            booking.at,
        )
    except asyncpg.UniqueViolationError as exc:
        raise LedgerRaced(f"{part_number} at {location_id}: position {after.position}") from exc
    return dict(row)


async def ledger(
    conn: Connection,
    part_number: str,
    *,
    location_id: UUID | None,
    after_seq: int,
    limit: int,
) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(_LEDGER, part_number, location_id, after_seq, limit)]


async def reorder_point(
    conn: Connection, part_number: str, location_id: UUID
) -> ReorderPoint | None:
    row = await conn.fetchrow(_REORDER_POINT, part_number, location_id)
    return None if row is None else ReorderPoint(row["reorder_point"], row["name"])


async def insert_receipt(
    conn: Connection,
    receipt_id: UUID,
    part_number: str,
    location_id: UUID,
    quantity: int,
    delivery_reference: str,
    *,
    at: datetime,
    by: str,
    inspect_by: datetime,
) -> dict[str, Any]:
    try:
        row = await conn.fetchrow(
            _INSERT_RECEIPT,
            receipt_id,
            part_number,
            location_id,
            quantity,
            delivery_reference,
            at,
            by,
            inspect_by,
        )
    except asyncpg.UniqueViolationError:
        raise DeliveryAlreadyReceived(
            f"delivery {delivery_reference!r} was already received",
            delivery_reference=delivery_reference,
        ) from None
    return dict(row)


async def get_receipt(conn: Connection, receipt_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_GET_RECEIPT, receipt_id)
    return None if row is None else dict(row)


async def sign_off(
    conn: Connection,
    receipt_id: UUID,
    *,
    at: datetime,
    accepted_quantity: int,
    notes: str | None,
    signed_by_us: str,
    signed_by_counterparty: str,
    counterparty: str,
) -> dict[str, Any] | None:
    """The signed receipt; None when it was already signed off."""
    row = await conn.fetchrow(
        _SIGN_OFF,
        receipt_id,
        at,
        accepted_quantity,
        notes,
        signed_by_us,
        signed_by_counterparty,
        counterparty,
    )
    return None if row is None else dict(row)


async def receipts(
    conn: Connection,
    *,
    after: tuple[datetime, UUID] | None,
    limit: int,
    part_number: str | None,
    location_id: UUID | None,
    overdue_at: datetime | None,
) -> list[dict[str, Any]]:
    """Oldest first, `limit + 1` rows so the caller can tell whether more follow. Given
    `overdue_at`, only the receipts still uninspected past their deadline then (IV-6)."""
    filters = (
        Filters()
        .add_if(part_number, "part_number = {}")
        .add_if(location_id, "location_id = {}")
        .add_if(overdue_at, "inspected_at IS NULL AND inspect_by < {}")
    )
    if after is not None:
        filters.add("(received_at, id) > ({}, {})", *after)
    records = await conn.fetch(
        f"{_LIST_RECEIPTS} {filters.where()} ORDER BY received_at, id "
        f"LIMIT {filters.param(limit + 1)}",
        *filters.args,
    )
    return [dict(r) for r in records]


async def insert_transfer(
    conn: Connection,
    transfer_id: UUID,
    part_number: str,
    from_location_id: UUID,
    to_location_id: UUID,
    quantity: int,
    *,
    at: datetime,
    by: str,
) -> dict[str, Any]:
    row = await conn.fetchrow(
        _INSERT_TRANSFER,
        transfer_id,
        part_number,
        from_location_id,
        to_location_id,
        quantity,
        at,
        by,
    )
    return dict(row)
