"""RP-2 over HTTP: SLA compliance in a month by priority, customer or engineer; JSON, or CSV
for a spreadsheet (`Accept: text/csv`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Query, Request, Security
from pydantic import BaseModel, Field

from services.escalation.reports import handlers, rules
from services.escalation.reports.rules import By
from shared.auth import Principal, authenticate
from shared.http.csv import CSV_RESPONSE, csv_response, wants_csv
from shared.http.problems import problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

Reader = Annotated[Principal, Security(authenticate, scopes=["sla:read", "ops:read"])]
COLUMNS = ("key", "kind", "met", "breached", "met_share", "mean_used_minutes")


class SlaLinePublic(BaseModel):
    key: str = Field(description="The priority, customer id or engineer id")
    kind: str = Field(description="response, on_site, restore or repair")
    met: int
    breached: int
    met_share: float | None = Field(description="met / (met + breached); none without either")
    mean_used_minutes: float | None = Field(
        description="Business minutes the met ones used, on average"
    )


class SlaReport(BaseModel):
    month: str
    timezone: str
    from_: datetime = Field(alias="from")
    to: datetime
    by: By
    lines: list[SlaLinePublic]


@router.get(
    "/reports/sla",
    response_model=SlaReport,
    tags=["reports"],
    summary="SLA compliance in a month, by priority, customer or engineer",
    description="RP-2: for each group and clock kind, the clocks settled in the month "
    "(Asia/Shanghai) met and breached, the share met and the business minutes the met ones "
    "used. An engineer counts every clock of every ticket they were assigned to. CSV "
    "(`Accept: text/csv`): one row per line, columns key, kind, met, breached, met_share, "
    "mean_used_minutes.",
    responses={**CSV_RESPONSE, **problem_responses(422)},
)
async def sla_report(
    request: Request,
    runtime: RuntimeDep,
    principal: Reader,
    month: Annotated[
        str,
        Query(pattern=rules.MONTH_PATTERN, description="YYYY-MM, a month in Asia/Shanghai"),
    ],
    by: Annotated[By, Query(description="How to group the clocks")] = By.priority,
) -> Any:
    async with runtime.uow() as uow:
        report = await handlers.sla(uow, month, by)
    if wants_csv(request):
        return csv_response(
            COLUMNS,
            ([line[c] for c in COLUMNS] for line in report["lines"]),
            f"sla-{by.value}-{month}.csv",
        )
    return report
