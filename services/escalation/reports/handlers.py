"""RP-2 over the clocks escalation keeps. Glue only."""

from __future__ import annotations

from typing import Any

from services.escalation.reports import rules, store
from services.escalation.reports.rules import By
from shared.db import UnitOfWork


async def sla(uow: UnitOfWork, month: str, by: By) -> dict[str, Any]:
    period = rules.period(month)
    found = await store.outcomes(uow.conn, by, period.start, period.end)
    return {
        "month": period.month,
        "timezone": str(rules.REPORT_ZONE),
        "from": period.start,
        "to": period.end,
        "by": by.value,
        "lines": [line.as_dict() for line in rules.lines(found)],
    }
