"""Every statement on intake.service_reports and intake.repeat_failures; rows <-> `ServiceReport`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
from asyncpg import Connection

from services.intake.reports.rules import (
    FaultType,
    Part,
    Report,
    ServiceReport,
    Source,
    parts_json,
)

COLUMNS = (
    "id, ticket_id, resolved_at, source, assignment_id, work_done, root_cause, fault_type, "
    "parts_used, minutes_on_site, engineer_ids, recorded_by, recorded_at"
)
_INSERT = f"""INSERT INTO intake.service_reports ({COLUMNS})
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"""
# The latest resolution's report; `recorded_at, id` break a tie between two at one instant.
_LATEST = f"""SELECT {COLUMNS} FROM intake.service_reports WHERE ticket_id = $1
              ORDER BY resolved_at DESC, recorded_at DESC, id DESC LIMIT 1"""
_ALL = f"""SELECT {COLUMNS} FROM intake.service_reports WHERE ticket_id = $1
           ORDER BY resolved_at, recorded_at, id"""

# The asset a ticket is about, with what a repeat failure names and the zone its warranty
# days are counted in. A serial is unique per manufacturer: the model tells makers apart.
_ASSET_OF_TICKET = """
SELECT a.serial, a.manufacturer, a.model, a.customer_id, a.site_id, a.accepted_on,
       a.warranty_end, s.timezone
FROM intake.tickets t
JOIN intake.assets a ON a.serial = t.asset_serial
                    AND (t.asset_model IS NULL OR a.model = t.asset_model)
JOIN intake.sites s ON s.id = a.site_id
WHERE t.id = $1
ORDER BY a.manufacturer
LIMIT 1"""
# The latest other ticket on this serial whose resolution was a hardware fault, before `at`.
_EARLIER_HARDWARE_FAILURE = """
SELECT r.ticket_id
FROM intake.service_reports r
JOIN intake.tickets t ON t.id = r.ticket_id
WHERE t.asset_serial = $1 AND (t.asset_model IS NULL OR $2::text IS NULL OR t.asset_model = $2)
  AND r.ticket_id <> $3 AND r.fault_type = 'hardware' AND r.resolved_at <= $4
ORDER BY r.resolved_at DESC, r.id DESC
LIMIT 1"""
# IV-3: once per pair of tickets, however often either is reopened and resolved again.
_RECORD_REPEAT_FAILURE = """
INSERT INTO intake.repeat_failures (id, serial, manufacturer, earlier_ticket_id, ticket_id,
                                    detected_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT ON CONSTRAINT uq_repeat_failures_earlier_ticket_id_ticket_id DO NOTHING
RETURNING id"""


@dataclass(frozen=True, slots=True)
class AssetOfTicket:
    serial: str
    manufacturer: str
    model: str
    customer_id: UUID
    site_id: UUID
    accepted_on: date
    warranty_end: date
    timezone: str


def _parts(value: list[dict[str, Any]]) -> tuple[Part, ...]:
    return tuple(Part(**p) for p in value)


def _service_report(row: asyncpg.Record) -> ServiceReport:
    return ServiceReport(
        id=row["id"],
        ticket_id=row["ticket_id"],
        resolved_at=row["resolved_at"],
        source=Source(row["source"]),
        assignment_id=row["assignment_id"],
        report=Report(
            work_done=row["work_done"],
            root_cause=row["root_cause"],
            fault_type=FaultType(row["fault_type"]),
            parts_used=_parts(row["parts_used"]),
            minutes_on_site=row["minutes_on_site"],
            engineer_ids=tuple(row["engineer_ids"]),
        ),
        recorded_by=row["recorded_by"],
        recorded_at=row["recorded_at"],
    )


async def insert(conn: Connection, stored: ServiceReport) -> None:
    report = stored.report
    await conn.execute(
        _INSERT,
        stored.id,
        stored.ticket_id,
        stored.resolved_at,
        stored.source.value,
        stored.assignment_id,
        report.work_done,
        report.root_cause,
        report.fault_type.value,
        parts_json(report.parts_used),
        report.minutes_on_site,
        list(report.engineer_ids),
        stored.recorded_by,
        stored.recorded_at,
    )


async def latest(conn: Connection, ticket_id: UUID) -> ServiceReport | None:
    row = await conn.fetchrow(_LATEST, ticket_id)
    return None if row is None else _service_report(row)


async def history(conn: Connection, ticket_id: UUID) -> list[ServiceReport]:
    return [_service_report(row) for row in await conn.fetch(_ALL, ticket_id)]


async def asset_of_ticket(conn: Connection, ticket_id: UUID) -> AssetOfTicket | None:
    row = await conn.fetchrow(_ASSET_OF_TICKET, ticket_id)
    return None if row is None else AssetOfTicket(**dict(row))


async def earlier_hardware_failure(
    conn: Connection, asset: AssetOfTicket, ticket_id: UUID, before: datetime
) -> UUID | None:
    value = await conn.fetchval(
        _EARLIER_HARDWARE_FAILURE, asset.serial, asset.model, ticket_id, before
    )
    return value if value is None else UUID(str(value))


async def record_repeat_failure(
    conn: Connection,
    *,
    failure_id: UUID,
    asset: AssetOfTicket,
    earlier_ticket_id: UUID,
    ticket_id: UUID,
    at: datetime,
) -> bool:
    """True the first time this pair of tickets is recorded, False ever after."""
    inserted = await conn.fetchval(
        _RECORD_REPEAT_FAILURE,
        failure_id,
        asset.serial,
        asset.manufacturer,
        earlier_ticket_id,
        ticket_id,
        at,
    )
    return inserted is not None
