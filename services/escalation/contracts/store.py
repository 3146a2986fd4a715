"""Every SQL statement on escalation's copy of intake's contracts; rows become `Policy`s."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from asyncpg import Connection

from services.escalation.clocks.policy import (
    Coverage,
    Policy,
    Priority,
    TargetOverride,
    step_overrides,
)
from shared.events.intake import ContractEvent, LadderContact

# An `.updated` carries the whole contract; an older one arriving late changes nothing.
_UPSERT = """
INSERT INTO escalation.contracts AS c (id, customer_id, coverage, emergency_onsite_7x24,
    onsite_minutes, calendar, targets, ladder, as_of, step_limits)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (id) DO UPDATE SET customer_id = EXCLUDED.customer_id,
    coverage = EXCLUDED.coverage, emergency_onsite_7x24 = EXCLUDED.emergency_onsite_7x24,
    onsite_minutes = EXCLUDED.onsite_minutes, calendar = EXCLUDED.calendar,
    targets = EXCLUDED.targets, ladder = EXCLUDED.ladder, as_of = EXCLUDED.as_of,
    step_limits = EXCLUDED.step_limits
WHERE c.as_of <= EXCLUDED.as_of
RETURNING id
"""
_GET = """
SELECT id, coverage, emergency_onsite_7x24, onsite_minutes, calendar, targets, ladder, step_limits
FROM escalation.contracts WHERE id = $1
"""


async def upsert(conn: Connection, contract: ContractEvent, as_of: datetime) -> bool:
    """Whether the contract changed (False: this news is older than what is kept)."""
    changed = await conn.fetchval(
        _UPSERT,
        contract.contract_id,
        contract.customer_id,
        contract.coverage,
        contract.emergency_onsite_7x24,
        contract.onsite_minutes,
        contract.calendar,
        {p: t.model_dump(exclude_none=True) for p, t in contract.targets.items()},
        [c.model_dump() for c in contract.ladder],
        as_of,
        {p: s.model_dump(exclude_none=True) for p, s in contract.step_limits.items()},
    )
    return changed is not None


async def terms_of(
    conn: Connection, ticket: Mapping[str, Any]
) -> tuple[Policy, tuple[LadderContact, ...]]:
    """The ticket's SLA policy and ladder contacts: its contract's, once escalation knows it,
    else the seed's defaults on the cover the ticket itself names (IN-10)."""
    row = (
        None if ticket["contract_id"] is None else await conn.fetchrow(_GET, ticket["contract_id"])
    )
    if row is None:
        return Policy.without_contract(ticket["coverage"], ticket["calendar"]), ()
    return policy(row), tuple(LadderContact.model_validate(c) for c in row["ladder"])


def policy(row: Mapping[str, Any]) -> Policy:
    targets: dict[str, dict[str, int]] = row["targets"] or {}
    return Policy(
        calendar=row["calendar"],
        coverage=Coverage(row["coverage"]),
        emergency_onsite_7x24=row["emergency_onsite_7x24"],
        onsite_minutes=row["onsite_minutes"],
        targets={
            Priority(p): TargetOverride(t.get("response_minutes"), t.get("restore_minutes"))
            for p, t in targets.items()
        },
        step_limits=step_overrides(row["step_limits"] or {}),
    )


async def get(conn: Connection, contract_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_GET, contract_id)
    return dict(row) if row else None
