"""Monthly inspections (DS-6): scheduled by a timer, reported by the engineer (DS-8).

Glue only: load (store), decide (rules), save (store), publish. They run inside a unit of
work and never commit.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime
from typing import Any
from uuid import UUID

from services.dispatch.inspections import rules, store
from services.dispatch.inspections.commands import FileInspectionReport, ScheduleInspections
from services.dispatch.inspections.rules import Inspector
from services.dispatch.inspections.store import NewInspection
from shared.db import UnitOfWork
from shared.events.dispatch import InspectionCompleted, InspectionScheduled, Reading


async def schedule_inspections(command: ScheduleInspections, uow: UnitOfWork) -> int:
    """DS-6: this month's inspection for each contract in warranty, once per contract and month.

    Returns how many it scheduled; another replica's, or an earlier run's, are not counted.
    """
    months: dict[str, tuple[str, date]] = {}
    for name in {"UTC", *await store.zones(uow.conn)}:
        where = rules.zone(name)
        months[name] = (rules.month_of(uow.now, where), rules.local_date(uow.now, where))
    due = await store.due(uow.conn, months, command.limit)
    if not due:
        return 0
    inspectors: list[Inspector] | None = None
    planned = []
    for contract in due:
        engineer_id = contract.resident_id
        if engineer_id is None:
            if inspectors is None:
                inspectors = await store.inspectors(uow.conn)
            chosen = rules.choose_inspector(contract.region, inspectors)
            if chosen is not None:
                engineer_id = chosen.engineer_id
                # This run's choices count in the load, so that a month's first run spreads
                # the inspections instead of giving them all to whoever was least loaded.
                inspectors = [
                    dataclasses.replace(e, load=e.load + 1) if e is chosen else e
                    for e in inspectors
                ]
        planned.append(
            NewInspection(
                id=uuid.uuid4(),
                contract_id=contract.contract_id,
                site_id=contract.site_id,
                customer_id=contract.customer_id,
                month=contract.month,
                engineer_id=engineer_id,
                due_by=rules.due_by(contract.month),
            )
        )
    scheduled = await store.schedule(uow.conn, planned, uow.now)
    for inspection in planned:
        if inspection.id in scheduled:
            uow.publish(
                InspectionScheduled(
                    inspection_id=inspection.id,
                    contract_id=inspection.contract_id,
                    site_id=inspection.site_id,
                    month=inspection.month,
                    engineer_id=inspection.engineer_id,
                    due_by=inspection.due_by,
                    at=uow.now,
                )
            )
    return len(scheduled)


async def file_report(command: FileInspectionReport, uow: UnitOfWork) -> dict[str, Any]:
    """DS-6/DS-8: the report and its site check; every nonconformity with its remedy."""
    inspection = await store.lock(uow.conn, command.inspection_id)
    # Someone else's inspection is reported as missing: an engineer learns nothing of others' work.
    if inspection is None or command.engineer_id not in (None, inspection.engineer_id):
        raise rules.InspectionNotFound(f"no inspection {command.inspection_id}")
    engineer_id = rules.may_report(inspection)
    nonconformities = rules.site_check(command.readings, command.remedies)
    report = rules.report_document(
        command.readings,
        nonconformities,
        command.remedies,
        findings=command.findings,
        advice=command.advice,
        occurred_at=command.occurred_at,
        filed_by=command.by,
    )
    row = await store.complete(uow.conn, inspection.id, uow.now, report)
    uow.publish(
        InspectionCompleted(
            inspection_id=inspection.id,
            contract_id=inspection.contract_id,
            site_id=inspection.site_id,
            month=inspection.month,
            engineer_id=engineer_id,
            readings=command.readings.as_dict(),
            nonconformities=[Reading(**n.as_dict()) for n in nonconformities],
            findings=command.findings,
            advice=command.advice,
            occurred_at=command.occurred_at,
        )
    )
    return row


async def get_inspection(uow: UnitOfWork, inspection_id: UUID) -> dict[str, Any] | None:
    return await store.get(uow.conn, inspection_id)


async def list_inspections(
    uow: UnitOfWork,
    *,
    after: tuple[datetime, UUID] | None,
    limit: int,
    contract_id: UUID | None,
    month: str | None,
    engineer_id: UUID | None,
    status: rules.InspectionStatus | None,
) -> list[dict[str, Any]]:
    return await store.page(
        uow.conn,
        after=after,
        limit=limit,
        contract_id=contract_id,
        month=month,
        engineer_id=engineer_id,
        status=status.value if status else None,
    )
