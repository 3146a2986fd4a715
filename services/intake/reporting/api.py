"""RP-1 / RP-2 over HTTP: monthly reports in JSON, or CSV for a spreadsheet (`Accept: text/csv`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Request, Security

from services.intake.access import TicketReader
from services.intake.reporting import handlers, rules
from services.intake.reporting.schemas import EngineersReport, MonthlyReport
from shared.auth import Principal, authenticate
from shared.http.csv import CSV_RESPONSE, csv_response, wants_csv
from shared.http.problems import problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

OpsReader = Annotated[Principal, Security(authenticate, scopes=["ops:read"])]
Month = Annotated[
    str,
    Query(
        pattern=rules.MONTH_PATTERN,
        description="YYYY-MM (e.g. 2026-11), a calendar month in Asia/Shanghai",
    ),
]


def _monthly_rows(report: dict[str, Any]) -> Iterable[tuple[str, str, Any]]:
    for priority, count in report["tickets_by_priority"].items():
        yield "tickets_by_priority", priority, count
    for channel, count in report["tickets_by_channel"].items():
        yield "tickets_by_channel", channel, count
    for kind, line in report["sla"].items():
        yield "sla_met", kind, line["met"]
        yield "sla_breached", kind, line["breached"]
        yield "sla_met_share", kind, line["met_share"]
    yield "mean_rating", "", report["mean_rating"]
    yield "ratings", "", report["ratings"]
    yield "repeat_failures", "", report["repeat_failures"]


@router.get(
    "/reports/monthly",
    response_model=MonthlyReport,
    tags=["reports"],
    summary="A customer's month: tickets, SLA outcomes, ratings",
    responses={
        **CSV_RESPONSE,
        **problem_responses(404, described={404: "No such customer"}),
    },
    description="RP-2: tickets created in the month by priority and channel, SLA clocks settled "
    "in it by kind, the mean rating of the ratings recorded in it. Without `customer_id`: every "
    "customer. CSV (`Accept: text/csv`) has the columns metric, key, value.",
)
async def monthly_report(
    request: Request,
    runtime: RuntimeDep,
    principal: TicketReader,
    month: Month,
    customer_id: UUID | None = None,
) -> Any:
    period = rules.period(month)
    async with runtime.uow() as uow:
        report = await handlers.monthly(uow, period, customer_id)
    if wants_csv(request):
        return csv_response(
            ("metric", "key", "value"),
            _monthly_rows(report),
            f"monthly-{customer_id or 'all'}-{month}.csv",
        )
    return report


ENGINEER_COLUMNS = (
    "engineer_id",
    "tickets_completed",
    "share_of_work",
    "on_time_share",
    "mean_rating",
    "ratings",
)


@router.get(
    "/reports/engineers",
    response_model=EngineersReport,
    tags=["reports"],
    summary="Each engineer's month: work done, on time, rated",
    responses=CSV_RESPONSE,
    description="RP-1: tickets resolved in the month that each engineer was assigned to, their "
    "share of the month's work, the share whose restore SLA was met, and the mean rating of "
    "the ratings recorded in the month that name them. CSV (`Accept: text/csv`): one row per "
    "engineer.",
)
async def engineers_report(
    request: Request, runtime: RuntimeDep, principal: OpsReader, month: Month
) -> Any:
    period = rules.period(month)
    async with runtime.uow() as uow:
        report = await handlers.engineers(uow, period)
    if wants_csv(request):
        return csv_response(
            ENGINEER_COLUMNS,
            ([line[c] for c in ENGINEER_COLUMNS] for line in report["engineers"]),
            f"engineers-{month}.csv",
        )
    return report
