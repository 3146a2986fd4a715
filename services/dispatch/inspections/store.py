"""Every SQL statement about inspections, as constants."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from asyncpg import Connection

from services.dispatch.inspections.rules import Inspection, InspectionStatus, Inspector
from shared.sql import Filters

COLUMNS = (
    "id, contract_id, site_id, customer_id, month, engineer_id, status, due_by, scheduled_at, "
    "completed_at, report"
)
_ZONES = "SELECT DISTINCT timezone FROM dispatch.sites"
# Each contract's month and day come from its site's zone, worked out by the caller for every
# zone there is: the statement only compares. The site is the customer's first (contracts name
# none); a customer without one is scheduled in UTC.
_DUE = """
WITH zones (timezone, month, today) AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::date[]))
SELECT c.id AS contract_id, c.customer_id, s.id AS site_id, z.timezone, z.month, s.region,
       r.id AS resident_id
FROM dispatch.contracts c
LEFT JOIN LATERAL (
    SELECT id, timezone, region FROM dispatch.sites
    WHERE customer_id = c.customer_id ORDER BY registered_at, id LIMIT 1) s ON true
JOIN zones z ON z.timezone = coalesce(s.timezone, 'UTC')
LEFT JOIN dispatch.engineers r ON r.id = c.resident_engineer_id AND r.status = 'active'
WHERE c.warranty_start <= z.today AND z.today <= c.warranty_end
  AND NOT EXISTS (SELECT 1 FROM dispatch.inspections i
                  WHERE i.contract_id = c.id AND i.month = z.month)
ORDER BY c.id LIMIT $4"""
# An engineer's load: their live assignments and the inspections they have still to do.
_INSPECTORS = """
SELECT e.id, e.team, e.regions,
       e.active_assignments + (SELECT count(*) FROM dispatch.inspections i
                               WHERE i.engineer_id = e.id AND i.status = 'scheduled') AS load
FROM dispatch.engineers e WHERE e.status = 'active'"""
# The unique (contract, month) makes a second replica's or a restarted timer's insert a no-op;
# only the rows returned were scheduled by this transaction, and only they are announced.
_SCHEDULE = """
INSERT INTO dispatch.inspections
    (id, contract_id, site_id, customer_id, month, engineer_id, status, due_by, scheduled_at)
SELECT id, contract_id, site_id, customer_id, month, engineer_id, 'scheduled', due_by, $8
FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::uuid[], $7::date[])
    AS s (id, contract_id, site_id, customer_id, month, engineer_id, due_by)
ON CONFLICT (contract_id, month) DO NOTHING
RETURNING id"""
_GET = f"SELECT {COLUMNS} FROM dispatch.inspections WHERE id = $1"
_LOCK = f"{_GET} FOR UPDATE"
_COMPLETE = f"""
UPDATE dispatch.inspections SET status = 'completed', completed_at = $2, report = $3
WHERE id = $1 RETURNING {COLUMNS}"""
_LIST = f"SELECT {COLUMNS} FROM dispatch.inspections"


@dataclass(frozen=True, slots=True)
class DueContract:
    contract_id: UUID
    customer_id: UUID
    site_id: UUID | None
    timezone: str
    month: str
    region: str | None
    resident_id: UUID | None  # only when that engineer is active


@dataclass(frozen=True, slots=True)
class NewInspection:
    id: UUID
    contract_id: UUID
    site_id: UUID | None
    customer_id: UUID
    month: str
    engineer_id: UUID | None
    due_by: date


async def zones(conn: Connection) -> list[str]:
    return [r["timezone"] for r in await conn.fetch(_ZONES)]


async def due(
    conn: Connection, months: Mapping[str, tuple[str, date]], limit: int
) -> list[DueContract]:
    """Contracts in warranty without this month's inspection; `months`: zone -> (month, today)."""
    names = list(months)
    records = await conn.fetch(
        _DUE,
        names,
        [months[n][0] for n in names],
        [months[n][1] for n in names],
        limit,
    )
    return [
        DueContract(
            r["contract_id"],
            r["customer_id"],
            r["site_id"],
            r["timezone"],
            r["month"],
            r["region"],
            r["resident_id"],
        )
        for r in records
    ]


async def inspectors(conn: Connection) -> list[Inspector]:
    return [
        Inspector(r["id"], r["team"], frozenset(r["regions"]), r["load"])
        for r in await conn.fetch(_INSPECTORS)
    ]


async def schedule(
    conn: Connection, inspections: Sequence[NewInspection], at: datetime
) -> set[UUID]:
    """The ids of the inspections this call inserted; the rest existed already."""
    records = await conn.fetch(
        _SCHEDULE,
        [i.id for i in inspections],
        [i.contract_id for i in inspections],
        [i.site_id for i in inspections],
        [i.customer_id for i in inspections],
        [i.month for i in inspections],
        [i.engineer_id for i in inspections],
        [i.due_by for i in inspections],
        at,
    )
    return {r["id"] for r in records}


async def get(conn: Connection, inspection_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_GET, inspection_id)
    return dict(row) if row else None


async def lock(conn: Connection, inspection_id: UUID) -> Inspection | None:
    row = await conn.fetchrow(_LOCK, inspection_id)
    if row is None:
        return None
    return Inspection(
        row["id"],
        row["contract_id"],
        row["site_id"],
        row["month"],
        row["engineer_id"],
        InspectionStatus(row["status"]),
    )


async def complete(
    conn: Connection, inspection_id: UUID, at: datetime, report: dict[str, Any]
) -> dict[str, Any]:
    return dict(await conn.fetchrow(_COMPLETE, inspection_id, at, report))


async def page(
    conn: Connection,
    *,
    after: tuple[datetime, UUID] | None,
    limit: int,
    contract_id: UUID | None,
    month: str | None,
    engineer_id: UUID | None,
    status: str | None,
) -> list[dict[str, Any]]:
    """Oldest first (so soonest due), `limit + 1` rows so the caller can tell whether more follow."""
    filters = Filters().add_if(engineer_id, "engineer_id = {}")
    filters.add_if(contract_id, "contract_id = {}").add_if(month, "month = {}")
    filters.add_if(status, "status = {}")
    if after is not None:
        filters.add("(scheduled_at, id) > ({}, {})", *after)
    records = await conn.fetch(
        f"{_LIST} {filters.where()} ORDER BY scheduled_at, id LIMIT {filters.param(limit + 1)}",
        *filters.args,
    )
    return [dict(r) for r in records]
