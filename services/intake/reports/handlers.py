"""Service reports (IN-5) and the repeat failures they reveal (IV-3). Glue only; never commits.

A report is written by the resolution that carries it (tickets/handlers.py: the centre's
resolve or an engineer's assignment.completed), in the same transaction as the move.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from services.intake.contracts.rules import Warranty
from services.intake.reports import rules, store
from services.intake.reports.rules import NoReport, Report, ServiceReport, Source
from services.intake.timeline import handlers as timeline
from services.intake.timeline.store import Entry
from shared.db import UnitOfWork
from shared.events.intake import AssetRepeatFailure

INTAKE = "intake"


def summary(report: Report) -> dict[str, Any]:
    """The report as the timeline shows it (JSON types)."""
    return {
        "fault_type": report.fault_type.value,
        "root_cause": report.root_cause,
        "work_done": report.work_done,
        "parts_used": rules.parts_json(report.parts_used),
        "minutes_on_site": report.minutes_on_site,
        "engineer_ids": [str(e) for e in report.engineer_ids],
    }


async def record_report(
    uow: UnitOfWork,
    *,
    ticket_id: UUID,
    report: Report,
    resolved_at: datetime,
    source: Source,
    assignment_id: UUID | None,
    by: str,
) -> ServiceReport:
    stored = ServiceReport(
        id=uuid.uuid4(),
        ticket_id=ticket_id,
        resolved_at=resolved_at,
        source=source,
        assignment_id=assignment_id,
        report=report,
        recorded_by=by,
        recorded_at=uow.now,
    )
    await store.insert(uow.conn, stored)
    return stored


async def look_for_repeat_failure(uow: UnitOfWork, resolved: ServiceReport) -> None:
    """IV-3: a hardware fault in warranty on a serial that had one on another ticket before:
    `asset.repeat_failure`, once per pair of tickets, for inventory to arrange a replacement."""
    if resolved.report.fault_type is not rules.FaultType.hardware:
        return  # most resolutions: spare them the two lookups
    asset = await store.asset_of_ticket(uow.conn, resolved.ticket_id)
    if asset is None:
        return  # a ticket by customer, no serial: nothing to compare
    warranty = Warranty(asset.accepted_on, asset.warranty_end)
    in_warranty = warranty.covers(resolved.resolved_at, ZoneInfo(asset.timezone))
    earlier = (
        await store.earlier_hardware_failure(
            uow.conn, asset, resolved.ticket_id, resolved.resolved_at
        )
        if in_warranty
        else None
    )
    if earlier is None or not rules.is_repeat_failure(
        resolved.report.fault_type, in_warranty=in_warranty, earlier_ticket_id=earlier
    ):
        return
    first_time = await store.record_repeat_failure(
        uow.conn,
        failure_id=uuid.uuid4(),
        asset=asset,
        earlier_ticket_id=earlier,
        ticket_id=resolved.ticket_id,
        at=uow.now,
    )
    if not first_time:
        return
    await timeline.record(
        uow,
        Entry(
            resolved.ticket_id,
            uow.now,
            AssetRepeatFailure.type,
            INTAKE,
            {"serial": asset.serial, "earlier_ticket_id": str(earlier)},
        ),
    )
    uow.publish(
        AssetRepeatFailure(
            serial=asset.serial,
            earlier_ticket_id=earlier,
            ticket_id=resolved.ticket_id,
            model=asset.model,
            manufacturer=asset.manufacturer,
            customer_id=asset.customer_id,
            site_id=asset.site_id,
            detected_at=uow.now,
        )
    )


async def latest_report(uow: UnitOfWork, ticket_id: UUID) -> ServiceReport:
    """The report of the ticket's latest resolution; earlier ones stay on record."""
    report = await store.latest(uow.conn, ticket_id)
    if report is None:
        raise NoReport(f"ticket {ticket_id} has no service report: it is not resolved")
    return report
