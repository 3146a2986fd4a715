"""Every statement on intake.contacts; rows <-> `Contact`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg
from asyncpg import Connection

from services.intake.contacts.roster import Role, RosterFull
from services.intake.customers.store import CustomerNotFound
from shared.errors import NotFound
from shared.sql import Filters

COLUMNS = "id, customer_id, name, phone, email, role, created_at, updated_at"
# NO KEY UPDATE: serialises roster changes of one customer without blocking the
# KEY SHARE lock a new ticket takes on its customer.
_LOCK_CUSTOMER = "SELECT id FROM intake.customers WHERE id = $1 FOR NO KEY UPDATE"
_ROLES = "SELECT role FROM intake.contacts WHERE customer_id = $1 AND id <> $2"
_INSERT = f"""INSERT INTO intake.contacts ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
              RETURNING {COLUMNS}"""
_GET = f"SELECT {COLUMNS} FROM intake.contacts WHERE id = $1"
_UPDATE = f"""UPDATE intake.contacts SET name = $2, phone = $3, email = $4, role = $5, updated_at = $6
              WHERE id = $1 RETURNING {COLUMNS}"""
_DELETE = "DELETE FROM intake.contacts WHERE id = $1 RETURNING customer_id"
_LIST = f"SELECT {COLUMNS} FROM intake.contacts WHERE customer_id = $1"


@dataclass(frozen=True, slots=True)
class Contact:
    id: UUID
    customer_id: UUID
    name: str
    phone: str
    email: str | None
    role: Role
    created_at: datetime
    updated_at: datetime


class ContactNotFound(NotFound):
    title = "No such contact"


def _contact(row: asyncpg.Record) -> Contact:
    return Contact(**{**dict(row), "role": Role(row["role"])})


def _primary_taken() -> RosterFull:
    # The partial unique index caught a writer the lock did not (a row inserted outside this module).
    return RosterFull(
        "the customer has a primary duty contact already", field="role", role="primary"
    )


async def lock_customer(conn: Connection, customer_id: UUID) -> None:
    if await conn.fetchval(_LOCK_CUSTOMER, customer_id) is None:
        raise CustomerNotFound(f"no customer {customer_id}")


async def other_roles(conn: Connection, customer_id: UUID, contact_id: UUID) -> list[Role]:
    return [Role(r["role"]) for r in await conn.fetch(_ROLES, customer_id, contact_id)]


async def insert(conn: Connection, contact: Contact) -> Contact:
    try:
        row = await conn.fetchrow(
            _INSERT,
            contact.id,
            contact.customer_id,
            contact.name,
            contact.phone,
            contact.email,
            contact.role.value,
            contact.created_at,
        )
    except asyncpg.UniqueViolationError:
        raise _primary_taken() from None
    except asyncpg.ForeignKeyViolationError:
        raise CustomerNotFound(f"no customer {contact.customer_id}") from None
    return _contact(row)


async def get(conn: Connection, contact_id: UUID) -> Contact | None:
    row = await conn.fetchrow(_GET, contact_id)
    return None if row is None else _contact(row)


async def update(conn: Connection, contact: Contact) -> Contact:
    try:
        row = await conn.fetchrow(
            _UPDATE,
            contact.id,
            contact.name,
            contact.phone,
            contact.email,
            contact.role.value,
            contact.updated_at,
        )
    except asyncpg.UniqueViolationError:
        raise _primary_taken() from None
    if row is None:
        raise ContactNotFound(f"no contact {contact.id}")
    return _contact(row)


async def delete(conn: Connection, contact_id: UUID) -> None:
    if await conn.fetchval(_DELETE, contact_id) is None:
        raise ContactNotFound(f"no contact {contact_id}")


async def page(
    conn: Connection, customer_id: UUID, *, after: tuple[datetime, UUID] | None, limit: int
) -> list[Contact]:
    filters = Filters(customer_id)
    if after is not None:
        filters.add("(created_at, id) > ({}, {})", *after)
    sql = f"{_LIST} {filters.where('AND')} ORDER BY created_at, id LIMIT {filters.param(limit + 1)}"
    return [_contact(row) for row in await conn.fetch(sql, *filters.args)]
