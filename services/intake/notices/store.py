"""Every statement about advisories and notices, as constants."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
from asyncpg import Connection

from shared.errors import Conflict
from shared.sql import Filters

ADVISORY_COLUMNS = (
    "id, manufacturer, models, firmware_from, firmware_to, text, severity, reference, "
    "created_by, created_at"
)
NOTICE_COLUMNS = (
    "id, customer_id, source, advisory_id, reference, severity, part_number, end_of_production, "
    "serials, contacts, send_by, status, due_at, created_at"
)
# IN-11's duty roster as a notice carries it: the primary first, then the secondaries.
_CONTACTS_OF = """(
    SELECT coalesce(jsonb_agg(jsonb_build_object('name', c.name, 'phone', c.phone,
                                                 'email', c.email, 'role', c.role)
                              ORDER BY c.role = 'primary' DESC, c.created_at, c.id), '[]'::jsonb)
    FROM intake.contacts c WHERE c.customer_id = {} AND c.role IN ('primary', 'secondary'))"""

_INSERT_ADVISORY = f"""
INSERT INTO intake.advisories ({ADVISORY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
RETURNING {ADVISORY_COLUMNS}"""
_GET_ADVISORY = f"""
SELECT {ADVISORY_COLUMNS},
       (SELECT count(*) FROM intake.notices n WHERE n.advisory_id = a.id) AS notice_count
FROM intake.advisories a WHERE id = $1"""
# Models compare without case: vendors and the installed base spell them differently.
_AFFECTED = """
SELECT customer_id, serial FROM intake.assets
WHERE lower(manufacturer) = lower($1) AND lower(model) = ANY($2::text[])"""
# One notice per customer and end-of-life part, however often the announcement arrives.
_INSERT_NOTICE = f"""
INSERT INTO intake.notices ({NOTICE_COLUMNS})
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, {_CONTACTS_OF.format("$2")}, $10, 'pending', NULL, $11)
ON CONFLICT (part_number, customer_id) WHERE part_number IS NOT NULL DO NOTHING"""
# Each notice that has come due is claimed by exactly one replica (SKIP LOCKED) and marked in
# the transaction that writes its notice.due to the outbox: once, across replicas and restarts.
# The roster is read again here: the one the customer has when the notice goes out.
_CLAIM_DUE = f"""
UPDATE intake.notices n SET status = 'due', due_at = $2, contacts = {_CONTACTS_OF.format("n.customer_id")}
WHERE n.id IN (SELECT id FROM intake.notices
               WHERE status = 'pending' AND send_by <= $2
               ORDER BY send_by, id LIMIT $1 FOR UPDATE SKIP LOCKED)
RETURNING {NOTICE_COLUMNS}"""
_LIST = f"SELECT {NOTICE_COLUMNS} FROM intake.notices"


class AdvisoryExists(Conflict):
    title = "Advisory already recorded"


async def insert_advisory(conn: Connection, row: dict[str, Any]) -> dict[str, Any]:
    try:
        record = await conn.fetchrow(
            _INSERT_ADVISORY,
            row["id"],
            row["manufacturer"],
            list(row["models"]),
            row["firmware_from"],
            row["firmware_to"],
            row["text"],
            row["severity"],
            row["reference"],
            row["created_by"],
            row["created_at"],
        )
    except asyncpg.UniqueViolationError:
        raise AdvisoryExists(
            f"{row['manufacturer']} advisory {row['reference']} is recorded already",
            reference=row["reference"],
        ) from None
    return dict(record)


async def get_advisory(conn: Connection, advisory_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_GET_ADVISORY, advisory_id)
    return None if row is None else dict(row)


async def affected_assets(
    conn: Connection, manufacturer: str, models: Iterable[str]
) -> list[tuple[UUID, str]]:
    rows = await conn.fetch(_AFFECTED, manufacturer, [m.lower() for m in models])
    return [(r["customer_id"], r["serial"]) for r in rows]


async def insert_notices(
    conn: Connection,
    notices: Iterable[tuple[UUID, UUID, list[str]]],
    *,
    source: str,
    advisory_id: UUID | None,
    reference: str,
    severity: str | None,
    part_number: str | None,
    end_of_production: date | None,
    send_by: datetime,
    at: datetime,
) -> None:
    """`notices` are (notice id, customer id, serials)."""
    await conn.executemany(
        _INSERT_NOTICE,
        [
            (
                notice_id,
                customer_id,
                source,
                advisory_id,
                reference,
                severity,
                part_number,
                end_of_production,
                serials,
                send_by,
                at,
            )
            for notice_id, customer_id, serials in notices
        ],
    )


async def claim_due(conn: Connection, now: datetime, limit: int) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(_CLAIM_DUE, limit, now)]


async def page(
    conn: Connection,
    *,
    after: tuple[datetime, UUID] | None,
    limit: int,
    status: str | None,
    customer_id: UUID | None,
    advisory_id: UUID | None,
) -> list[dict[str, Any]]:
    """Oldest first, `limit + 1` rows so the caller can tell whether more follow."""
    filters = Filters()
    if after is not None:
        filters.add("(created_at, id) > ({}, {})", *after)
    filters.add_if(status, "status = {}").add_if(customer_id, "customer_id = {}")
    filters.add_if(advisory_id, "advisory_id = {}")
    records = await conn.fetch(
        f"{_LIST} {filters.where()} ORDER BY created_at, id LIMIT {filters.param(limit + 1)}",
        *filters.args,
    )
    return [dict(r) for r in records]
