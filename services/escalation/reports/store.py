"""Every SQL statement of the SLA reports: one per grouping, so the set stays finite."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from asyncpg import Connection

from services.escalation.reports.rules import By

# A clock settles in the month of its announced breach, or else of its announced met.
_TEMPLATE = """
SELECT {key} AS key, c.kind,
       count(*) FILTER (WHERE c.breached_at IS NULL) AS met,
       count(*) FILTER (WHERE c.breached_at IS NOT NULL) AS breached,
       avg(c.used_minutes) FILTER (WHERE c.breached_at IS NULL) AS mean_used
FROM escalation.clocks c JOIN escalation.tickets t ON t.id = c.ticket_id {join}
WHERE (c.breached_at >= $1 AND c.breached_at < $2)
   OR (c.breached_at IS NULL AND c.met_sent AND c.met_at >= $1 AND c.met_at < $2)
GROUP BY 1, 2
"""
_BY: dict[By, str] = {
    By.priority: _TEMPLATE.format(key="t.priority", join=""),
    By.customer: _TEMPLATE.format(key="t.customer_id::text", join=""),
    By.engineer: _TEMPLATE.format(
        key="e.engineer_id::text",
        join="CROSS JOIN LATERAL unnest(t.engineer_ids) AS e(engineer_id)",
    ),
}


async def outcomes(
    conn: Connection, by: By, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(_BY[by], start, end)]
