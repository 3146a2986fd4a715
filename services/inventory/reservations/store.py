"""Every SQL statement about reservations, as constants.

Every writer of a reservation holds its part's lock first (`stock.store.lock_part`): the
same lock that serializes the part's ledger, so a reservation's row and its stock never
disagree, and locks are always taken part first, then reservations (no deadlock between a
release and a reservation of the same part).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from asyncpg import Connection, Record

from services.inventory.reservations.lifecycle import (
    HOLDING,
    LIVE,
    Reservation,
    ReservationStatus,
)
from services.inventory.reservations.rules import Backorder


def _in(statuses: tuple[ReservationStatus, ...]) -> str:
    return "(" + ", ".join(f"'{s.value}'" for s in statuses) + ")"


# Consumed units are the ledger's: a reservation's quantity is what was asked, never edited.
_CONSUMED = (
    "COALESCE((SELECT sum(-m.on_hand_delta) FROM inventory.movements m "
    "WHERE m.reservation_id = r.id AND m.kind = 'consume'), 0)::int"
)
_SELECT = f"""
SELECT r.id, r.ticket_id, r.part_number, r.quantity, {_CONSUMED} AS consumed, r.status,
    r.location_id, l.name AS location_name, l.latitude AS location_latitude,
    l.longitude AS location_longitude, s.latitude AS site_latitude,
    s.longitude AS site_longitude, r.waiver_reference, r.requested_by, r.requested_at,
    r.reserved_at, r.expires_at, r.reason, r.updated_at
FROM inventory.reservations r
LEFT JOIN inventory.locations l ON l.id = r.location_id
LEFT JOIN inventory.tickets t ON t.id = r.ticket_id
LEFT JOIN inventory.sites s ON s.id = t.site_id"""
_GET = f"{_SELECT} WHERE r.id = $1"
_OF_TICKET = f"{_SELECT} WHERE r.ticket_id = $1 ORDER BY r.requested_at, r.id"

_ROW = f"SELECT r.*, {_CONSUMED} AS consumed FROM inventory.reservations r"
_LOCK = f"{_ROW} WHERE r.id = $1 FOR UPDATE OF r"
_LOCK_OF_TICKET_PART = f"""
{_ROW} WHERE r.ticket_id = $1 AND r.part_number = $2 AND r.status = ANY($3::text[])
ORDER BY r.requested_at, r.id FOR UPDATE OF r"""
_PARTS_OF_TICKET = f"""
SELECT DISTINCT part_number FROM inventory.reservations
WHERE ticket_id = $1 AND status IN {_in(LIVE)} ORDER BY part_number"""

_INSERT = """
INSERT INTO inventory.reservations (id, ticket_id, part_number, location_id, quantity, status,
    waiver_reference, requested_by, requested_at, reserved_at, expires_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $9)"""
_SET_STATUS = """
UPDATE inventory.reservations SET status = $2, reason = COALESCE($3, reason), updated_at = $4
WHERE id = $1"""
_TOUCH = "UPDATE inventory.reservations SET updated_at = $2 WHERE id = $1"
_SERVE = """
UPDATE inventory.reservations SET status = 'reserved', location_id = $2, reserved_at = $3,
    expires_at = $4, updated_at = $3
WHERE id = $1 AND status = 'backordered'"""

# Oldest first on the partial index of backorders; the part's lock is held already.
_BACKORDERS = """
SELECT r.id, r.ticket_id, r.quantity, r.requested_at, r.waiver_reference,
    s.latitude, s.longitude
FROM inventory.reservations r
LEFT JOIN inventory.tickets t ON t.id = r.ticket_id
LEFT JOIN inventory.sites s ON s.id = t.site_id
WHERE r.part_number = $1 AND r.status = 'backordered'
ORDER BY r.requested_at, r.id
FOR UPDATE OF r"""
_WAITING = """
SELECT count(*) FROM inventory.reservations WHERE part_number = $1 AND status = 'backordered'"""

_PART = "SELECT original, condition FROM inventory.parts WHERE part_number = $1"

# The expiry timer: parts with reservations due, on the partial index of reserved ones. A
# part another replica (or a request) holds is skipped this tick and comes round the next.
_DUE_PARTS = """
SELECT DISTINCT part_number FROM (
    SELECT part_number FROM inventory.reservations
    WHERE status = 'reserved' AND expires_at <= $1 ORDER BY expires_at LIMIT $2
) due"""
_TRY_LOCK_PART = (
    "SELECT part_number FROM inventory.parts WHERE part_number = $1 FOR UPDATE SKIP LOCKED"
)
_DUE_OF_PART = f"""
{_ROW} WHERE r.part_number = $1 AND r.status = 'reserved' AND r.expires_at <= $2
ORDER BY r.expires_at, r.id LIMIT $3 FOR UPDATE OF r"""


def _reservation(row: Record) -> Reservation:
    return Reservation(
        id=row["id"],
        ticket_id=row["ticket_id"],
        part_number=row["part_number"],
        quantity=row["quantity"],
        status=ReservationStatus(row["status"]),
        location_id=row["location_id"],
        held=row["quantity"] - row["consumed"],
        requested_at=row["requested_at"],
        waiver_reference=row["waiver_reference"],
    )


async def part(conn: Connection, part_number: str) -> tuple[bool, str]:
    """Whether a part the caller has locked (so it exists) is an original, and its condition
    (IV-4)."""
    row = await conn.fetchrow(_PART, part_number)
    return row["original"], row["condition"]


async def insert(
    conn: Connection,
    *,
    id: UUID,
    ticket_id: UUID,
    part_number: str,
    quantity: int,
    status: ReservationStatus,
    location_id: UUID | None,
    waiver_reference: str | None,
    by: str,
    at: datetime,
    expires_at: datetime | None,
) -> None:
    await conn.execute(
        _INSERT,
        id,
        ticket_id,
        part_number,
        location_id,
        quantity,
        status.value,
        waiver_reference,
        by[:200],
        at,
        at if location_id is not None else None,
        expires_at,
    )


async def get(conn: Connection, reservation_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_GET, reservation_id)
    return None if row is None else dict(row)


async def of_ticket(conn: Connection, ticket_id: UUID) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(_OF_TICKET, ticket_id)]


async def lock(conn: Connection, reservation_id: UUID) -> Reservation | None:
    row = await conn.fetchrow(_LOCK, reservation_id)
    return None if row is None else _reservation(row)


async def lock_of_ticket(
    conn: Connection,
    ticket_id: UUID,
    part_number: str,
    statuses: tuple[ReservationStatus, ...] = HOLDING,
) -> list[Reservation]:
    rows = await conn.fetch(
        _LOCK_OF_TICKET_PART, ticket_id, part_number, [s.value for s in statuses]
    )
    return [_reservation(r) for r in rows]


async def parts_of_ticket(conn: Connection, ticket_id: UUID) -> list[str]:
    """The parts a ticket has live reservations of, in the order their locks are taken."""
    return [r["part_number"] for r in await conn.fetch(_PARTS_OF_TICKET, ticket_id)]


async def set_status(
    conn: Connection,
    reservation_id: UUID,
    status: ReservationStatus,
    reason: str | None,
    at: datetime,
) -> None:
    await conn.execute(_SET_STATUS, reservation_id, status.value, reason, at)


async def touch(conn: Connection, reservation_id: UUID, at: datetime) -> None:
    await conn.execute(_TOUCH, reservation_id, at)


async def serve(
    conn: Connection, reservation_id: UUID, location_id: UUID, at: datetime, expires_at: datetime
) -> None:
    await conn.execute(_SERVE, reservation_id, location_id, at, expires_at)


async def lock_backorders(
    conn: Connection, part_number: str
) -> list[tuple[Backorder, UUID, str | None]]:
    """The part's backorders, oldest first, each with its ticket and waiver reference."""
    rows = await conn.fetch(_BACKORDERS, part_number)
    return [
        (
            Backorder(
                id=r["id"],
                quantity=r["quantity"],
                requested_at=r["requested_at"],
                site=None if r["latitude"] is None else (r["latitude"], r["longitude"]),
            ),
            r["ticket_id"],
            r["waiver_reference"],
        )
        for r in rows
    ]


async def backorders_waiting(conn: Connection, part_number: str) -> int:
    return await conn.fetchval(_WAITING, part_number)


async def due_parts(conn: Connection, now: datetime, limit: int) -> list[str]:
    return [r["part_number"] for r in await conn.fetch(_DUE_PARTS, now, limit)]


async def try_lock_part(conn: Connection, part_number: str) -> bool:
    return await conn.fetchval(_TRY_LOCK_PART, part_number) is not None


async def lock_due(
    conn: Connection, part_number: str, now: datetime, limit: int
) -> list[Reservation]:
    return [_reservation(r) for r in await conn.fetch(_DUE_OF_PART, part_number, now, limit)]
