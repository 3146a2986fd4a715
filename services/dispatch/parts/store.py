"""Every SQL statement on dispatch's copy of inventory's reservations: the parts held for a
ticket (where to pick them up) and the parts it awaits (DS-3).

Each change answers with the engineers working the ticket now, so their phones' long polls
wake: the same statement finds them, in the same transaction. A change that changes nothing
(a fact delivered twice, a late one) answers with nobody.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from asyncpg import Connection

from services.dispatch.assignments.lifecycle import LIVE
from shared.events.inventory import (
    PartAvailable,
    PartBackordered,
    ReservationConsumed,
    ReservationCreated,
    ReservationReleased,
)


class Held(StrEnum):
    reserved = "reserved"  # at a location, to be picked up
    released = "released"
    consumed = "consumed"
    backordered = "backordered"  # no location has it: awaited from the supplier


# What the phone carries: the parts to pick up and the parts still awaited.
OPEN = (Held.reserved, Held.backordered)
_OPEN = "(" + ", ".join(f"'{s.value}'" for s in OPEN) + ")"
_LIVE = "(" + ", ".join(f"'{s.value}'" for s in LIVE) + ")"

# The ticket's open parts as one JSON list, for a query over assignments aliased `a`: the
# phone's page reads them in its own statement, never once per job. Parts to pick up first.
BRIEF = f"""COALESCE((
    SELECT json_agg(json_build_object('part_number', p.part_number, 'quantity', p.quantity,
                                      'location_name', p.location_name, 'status', p.status)
                    ORDER BY p.status = '{Held.backordered.value}', p.part_number, p.seq)
    FROM dispatch.ticket_parts p WHERE p.ticket_id = a.ticket_id AND p.status IN {_OPEN}
), '[]'::json)"""


def _waking(change: str) -> str:
    """`change` (RETURNING ticket_id), answering with the engineers live on the changed ticket."""
    return f"""WITH changed AS ({change})
SELECT a.engineer_id FROM dispatch.assignments a JOIN changed c ON a.ticket_id = c.ticket_id
WHERE a.status IN {_LIVE}"""


# A reservation only ever moves on from reserved: one that ended first (its end delivered
# ahead of its creation) stays ended, and a creation delivered twice changes nothing.
_HOLD = _waking(f"""
INSERT INTO dispatch.ticket_parts (reservation_id, ticket_id, part_number, quantity, location_id,
    location_name, status, as_of)
VALUES ($1, $2, $3, $4, $5, $6, '{Held.reserved.value}', $7)
ON CONFLICT (reservation_id) DO NOTHING
RETURNING ticket_id""")
_END = _waking(f"""
INSERT INTO dispatch.ticket_parts AS p (reservation_id, ticket_id, part_number, quantity,
    location_id, status, as_of)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (reservation_id) DO UPDATE SET status = EXCLUDED.status,
    location_id = COALESCE(EXCLUDED.location_id, p.location_id), as_of = EXCLUDED.as_of
WHERE p.status = '{Held.reserved.value}'
RETURNING ticket_id""")
# A backorder names no reservation: one row per ticket and part, holding the newest shortfall.
_BACKORDER = _waking(f"""
INSERT INTO dispatch.ticket_parts AS p (ticket_id, part_number, quantity, status, as_of)
VALUES ($1, $2, $3, '{Held.backordered.value}', $4)
ON CONFLICT (ticket_id, part_number) WHERE reservation_id IS NULL
DO UPDATE SET quantity = EXCLUDED.quantity, as_of = EXCLUDED.as_of
WHERE p.as_of <= EXCLUDED.as_of
RETURNING ticket_id""")
# An arrival older than the backorder it would clear is about an earlier one.
_CLEAR_BACKORDER = _waking("""
DELETE FROM dispatch.ticket_parts
WHERE reservation_id IS NULL AND ticket_id = $1 AND part_number = $2 AND as_of <= $3
RETURNING ticket_id""")


async def hold(conn: Connection, event: ReservationCreated) -> list[UUID]:
    """The engineers on the ticket, when this reservation is new to dispatch."""
    rows = await conn.fetch(
        _HOLD,
        event.reservation_id,
        event.ticket_id,
        event.part_number,
        event.quantity,
        event.location_id,
        event.location_name[:200],
        event.at,
    )
    return [r["engineer_id"] for r in rows]


async def end(
    conn: Connection, event: ReservationReleased | ReservationConsumed, status: Held
) -> list[UUID]:
    rows = await conn.fetch(
        _END,
        event.reservation_id,
        event.ticket_id,
        event.part_number,
        event.quantity,
        event.location_id,
        status.value,
        event.at,
    )
    return [r["engineer_id"] for r in rows]


async def backorder(conn: Connection, event: PartBackordered) -> list[UUID]:
    rows = await conn.fetch(
        _BACKORDER, event.ticket_id, event.part_number, event.quantity_short, event.at
    )
    return [r["engineer_id"] for r in rows]


async def clear_backorder(
    conn: Connection, event: PartAvailable | ReservationReleased
) -> list[UUID]:
    rows = await conn.fetch(_CLEAR_BACKORDER, event.ticket_id, event.part_number, event.at)
    return [r["engineer_id"] for r in rows]
