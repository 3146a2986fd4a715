"""Every SQL statement about loaners, their loans and the tickets owed one (IV-2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from asyncpg import Connection

from services.inventory.loaners.lifecycle import (
    LoanerExists,
    LoanerStatus,
    Move,
    Unit,
    refusal,
)
from shared.sql import Filters

COLUMNS = "serial, model, manufacturer, category, location_id, status, created_at, updated_at"
LOAN_COLUMNS = (
    "id, loaner_serial, ticket_id, customer_id, checked_out_at, checked_out_by, due_back, "
    "returned_at, returned_by, return_notes"
)
_INSERT = (
    "INSERT INTO inventory.loaners (serial, model, manufacturer, category, location_id, status, "
    f"created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'available', $6, $6) "
    f"RETURNING {COLUMNS}"
)
# A model keeps the maker and category it was first known by: a later loaner of it must agree.
_KNOW_MODEL = """
INSERT INTO inventory.product_models (model, manufacturer, category) VALUES ($1, $2, $3)
ON CONFLICT (model) DO NOTHING"""
_DECLARE_MODEL = """
INSERT INTO inventory.product_models AS m (model, manufacturer, category) VALUES ($1, $2, $3)
ON CONFLICT (model) DO UPDATE SET category = EXCLUDED.category
WHERE m.manufacturer = EXCLUDED.manufacturer
RETURNING model, manufacturer, category"""
_RECATEGORIZE = "UPDATE inventory.loaners SET category = $2 WHERE model = $1 AND category <> $2"
_MODEL = "SELECT model, manufacturer, category FROM inventory.product_models WHERE model = $1"
_LOCK = f"SELECT {COLUMNS} FROM inventory.loaners WHERE serial = $1 FOR UPDATE"
_MOVE = (
    "UPDATE inventory.loaners SET status = $2, updated_at = $3 WHERE serial = $1 "
    f"RETURNING {COLUMNS}"
)
_LEND = (
    "INSERT INTO inventory.loans (id, loaner_serial, ticket_id, customer_id, checked_out_at, "
    f"checked_out_by, due_back) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {LOAN_COLUMNS}"
)
_RETURN = (
    "UPDATE inventory.loans SET returned_at = $2, returned_by = $3, return_notes = $4 "
    f"WHERE loaner_serial = $1 AND returned_at IS NULL RETURNING {LOAN_COLUMNS}"
)
# Units a concurrent choice holds are passed over rather than waited for.
_CANDIDATES = """
SELECT l.serial, l.model, l.manufacturer, l.category, loc.latitude, loc.longitude
FROM inventory.loaners l JOIN inventory.locations loc ON loc.id = l.location_id
WHERE l.status = 'available'
    AND (l.model = $1 OR (lower(l.manufacturer) = lower($2) AND l.category = $3))
FOR UPDATE OF l SKIP LOCKED"""
_UNIT = """
SELECT l.serial, l.model, l.manufacturer, l.category, loc.latitude, loc.longitude
FROM inventory.loaners l JOIN inventory.locations loc ON loc.id = l.location_id
WHERE l.serial = $1"""
# One loaner owed per ticket: a redelivered or second breach finds the row and adds nothing.
_OWE = """
INSERT INTO inventory.loaners_due (ticket_id, clock_id, model, due_since, status)
VALUES ($1, $2, $3, $4, 'waiting') ON CONFLICT (ticket_id) DO NOTHING RETURNING ticket_id"""
_SETTLE = (
    "UPDATE inventory.loaners_due SET status = 'out', loan_id = $2 "
    "WHERE ticket_id = $1 AND status = 'waiting'"
)
_WAITING = """
SELECT ticket_id, model, due_since FROM inventory.loaners_due WHERE status = 'waiting'
ORDER BY due_since, ticket_id LIMIT $1 FOR UPDATE"""
DUE_COLUMNS = "ticket_id, clock_id, model, due_since, status, loan_id"
_DUES = f"SELECT {DUE_COLUMNS} FROM inventory.loaners_due"
_LIST = """
SELECT l.serial, l.model, l.manufacturer, l.category, l.location_id, l.status, l.created_at,
    l.updated_at, o.id AS loan_id, o.ticket_id, o.customer_id, o.checked_out_at, o.due_back
FROM inventory.loaners l
LEFT JOIN inventory.loans o ON o.loaner_serial = l.serial AND o.returned_at IS NULL"""


async def model(conn: Connection, name: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(_MODEL, name)
    return None if row is None else dict(row)


async def know_model(
    conn: Connection, name: str, manufacturer: str, category: str
) -> dict[str, Any]:
    """The model as now known: the one given, or the one recorded before."""
    await conn.execute(_KNOW_MODEL, name, manufacturer, category)
    return dict(await conn.fetchrow(_MODEL, name))


async def declare_model(
    conn: Connection, name: str, manufacturer: str, category: str
) -> dict[str, Any] | None:
    """None when the model is known under another manufacturer."""
    row = await conn.fetchrow(_DECLARE_MODEL, name, manufacturer, category)
    if row is None:
        return None
    await conn.execute(_RECATEGORIZE, name, category)
    return dict(row)


async def insert(
    conn: Connection,
    serial: str,
    model_name: str,
    manufacturer: str,
    category: str,
    location_id: UUID,
    at: datetime,
) -> dict[str, Any]:
    try:
        row = await conn.fetchrow(
            _INSERT, serial, model_name, manufacturer, category, location_id, at
        )
    except asyncpg.UniqueViolationError:
        raise LoanerExists(f"loaner {serial} is already registered", serial=serial) from None
    return dict(row)


async def lock(conn: Connection, serial: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(_LOCK, serial)
    return None if row is None else dict(row)


async def move(conn: Connection, serial: str, to: LoanerStatus, at: datetime) -> dict[str, Any]:
    return dict(await conn.fetchrow(_MOVE, serial, to.value, at))


async def lend(
    conn: Connection,
    loan_id: UUID,
    serial: str,
    ticket_id: UUID,
    customer_id: UUID,
    at: datetime,
    by: str,
    due_back: datetime,
) -> dict[str, Any]:
    try:
        row = await conn.fetchrow(
            _LEND, loan_id, serial, ticket_id, customer_id, at, by[:200], due_back
        )
    except asyncpg.UniqueViolationError:
        # uq_loans_out: the status check missed a concurrent check-out; the index did not.
        raise refusal(serial, LoanerStatus.checked_out, Move.check_out) from None
    return dict(row)


async def give_back(
    conn: Connection, serial: str, at: datetime, by: str, notes: str | None
) -> dict[str, Any] | None:
    row = await conn.fetchrow(_RETURN, serial, at, by[:200], notes)
    return None if row is None else dict(row)


def _unit(row: Any) -> Unit:
    return Unit(
        serial=row["serial"],
        model=row["model"],
        manufacturer=row["manufacturer"],
        category=row["category"],
        latitude=row["latitude"],
        longitude=row["longitude"],
    )


async def candidates(
    conn: Connection, model_name: str | None, manufacturer: str | None, category: str | None
) -> list[Unit]:
    return [_unit(r) for r in await conn.fetch(_CANDIDATES, model_name, manufacturer, category)]


async def unit(conn: Connection, serial: str) -> Unit:
    return _unit(await conn.fetchrow(_UNIT, serial))


async def owe(
    conn: Connection, ticket_id: UUID, clock_id: UUID, model_name: str | None, at: datetime
) -> bool:
    """True when this is the ticket's first loaner owed."""
    return await conn.fetchval(_OWE, ticket_id, clock_id, model_name, at) is not None


async def settle(conn: Connection, ticket_id: UUID, loan_id: UUID) -> None:
    await conn.execute(_SETTLE, ticket_id, loan_id)


async def waiting(conn: Connection, limit: int) -> list[dict[str, Any]]:
    """The tickets still owed a loaner, oldest first, locked until this transaction ends."""
    return [dict(r) for r in await conn.fetch(_WAITING, limit)]


async def dues(
    conn: Connection, *, status: str | None, ticket_id: UUID | None
) -> list[dict[str, Any]]:
    filters = Filters().add_if(status, "status = {}").add_if(ticket_id, "ticket_id = {}")
    records = await conn.fetch(
        f"{_DUES} {filters.where()} ORDER BY due_since, ticket_id LIMIT 500", *filters.args
    )
    return [dict(r) for r in records]


async def page(
    conn: Connection,
    *,
    now: datetime,
    after: tuple[datetime, str] | None,
    limit: int,
    ticket_id: UUID | None,
    status: str | None,
    model_name: str | None,
) -> list[dict[str, Any]]:
    """Oldest first, `limit + 1` rows so the caller can tell whether more follow."""
    filters = Filters().add_if(ticket_id, "o.ticket_id = {}").add_if(model_name, "l.model = {}")
    if status == "overdue":
        filters.add("o.due_back < {}", now)
    elif status is not None:
        filters.add("l.status = {}", status)
    if after is not None:
        filters.add("(l.created_at, l.serial) > ({}, {})", *after)
    records = await conn.fetch(
        f"{_LIST} {filters.where()} ORDER BY l.created_at, l.serial LIMIT {filters.param(limit + 1)}",
        *filters.args,
    )
    return [dict(r) for r in records]
