"""Inspections over HTTP: the support team and ops see all; engineers see and report their own."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import JSONResponse

from services.dispatch.access import (
    AssignmentReader,
    AssignmentWriter,
    engineer_id_of,
    own_engineer_id,
)
from services.dispatch.inspections import handlers
from services.dispatch.inspections.commands import FileInspectionReport
from services.dispatch.inspections.rules import InspectionStatus
from services.dispatch.inspections.schemas import InspectionPublic, InspectionReportCreate, Month
from shared.http.commands import CommandEndpoint
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, decode_position, page_of
from shared.http.problems import BODY_PROBLEMS, Problem, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

REPORT: CommandEndpoint[FileInspectionReport] = CommandEndpoint(
    "inspections.report", handlers.file_report, render=InspectionPublic.model_validate
)


def _page(rows: list[dict[str, Any]], limit: int) -> Page[InspectionPublic]:
    return page_of(
        [InspectionPublic.model_validate(r) for r in rows],
        limit,
        key=lambda i: (i.scheduled_at.isoformat(), str(i.id)),
    )


@router.get(
    "/inspections",
    response_model=Page[InspectionPublic],
    tags=["inspections"],
    summary="Monthly inspections, oldest first (engineers: only their own)",
    description="DS-6: one on-site inspection per contract in warranty per month, in the "
    "month of its site's time zone, due by the month's last day.",
)
async def list_inspections(
    runtime: RuntimeDep,
    principal: AssignmentReader,
    contract_id: UUID | None = None,
    month: Month | None = None,
    engineer_id: UUID | None = None,
    status: InspectionStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Any:
    own = own_engineer_id(principal)
    if own is not None and engineer_id not in (None, own):
        return Page[InspectionPublic](items=[])
    async with runtime.uow() as uow:
        rows = await handlers.list_inspections(
            uow,
            after=decode_position(cursor),
            limit=limit,
            contract_id=contract_id,
            month=month,
            engineer_id=own or engineer_id,
            status=status,
        )
    return _page(rows, limit)


@router.get(
    "/me/inspections",
    response_model=Page[InspectionPublic],
    tags=["inspections"],
    summary="The calling engineer's inspections, oldest (so soonest due) first",
)
async def my_inspections(
    runtime: RuntimeDep,
    principal: AssignmentReader,
    status: InspectionStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Any:
    engineer_id = engineer_id_of(principal)
    async with runtime.uow() as uow:
        rows = await handlers.list_inspections(
            uow,
            after=decode_position(cursor),
            limit=limit,
            contract_id=None,
            month=None,
            engineer_id=engineer_id,
            status=status,
        )
    return _page(rows, limit)


@router.get(
    "/inspections/{inspection_id}",
    response_model=InspectionPublic,
    tags=["inspections"],
    summary="An inspection with its report (engineers: only their own)",
    responses=problem_responses(404),
)
async def get_inspection(
    inspection_id: UUID, runtime: RuntimeDep, principal: AssignmentReader
) -> Any:
    own = own_engineer_id(principal)
    async with runtime.uow() as uow:
        row = await handlers.get_inspection(uow, inspection_id)
    if row is None or own not in (None, row["engineer_id"]):
        raise Problem(404, "not-found", f"no inspection {inspection_id}")
    return row


@router.post(
    "/inspections/{inspection_id}/report",
    response_model=InspectionPublic,
    tags=["inspections"],
    summary="File the inspection's report and site check; the inspection is completed",
    description="DS-6/DS-8: every reading is required; each reading outside the seed's limits "
    "needs a remedy (422 naming those without one). inspection.completed carries the readings "
    "and the nonconformities with their remedies. The inspection's engineer files it (the "
    "support team may file for them); a second report is a 409, a retry with the same "
    "Idempotency-Key gets the first answer again.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        422,
        described={
            404: "No such inspection for this engineer",
            409: "The inspection has its report already or no engineer, or a request with this "
            "Idempotency-Key is still in progress",
            422: "Invalid body, a reading missing, a nonconformity without a remedy (`readings` "
            "names each), or Idempotency-Key reused with another body",
        },
    ),
)
async def file_report(
    inspection_id: UUID,
    body: InspectionReportCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: AssignmentWriter,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = FileInspectionReport(
        inspection_id=inspection_id,
        engineer_id=None if principal.has("dispatch:admin") else engineer_id_of(principal),
        readings=body.readings.readings(),
        remedies=dict(body.remedies),
        findings=body.findings,
        advice=body.advice,
        occurred_at=body.occurred_at,
        by=principal.sub,
    )
    return await REPORT(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )
