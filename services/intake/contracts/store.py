"""Every statement on intake.contracts; rows <-> `Contract` (targets, step limits, waiver and ladder as jsonb)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from asyncpg import Connection

from services.intake.contracts.rules import (
    Calendar,
    Contract,
    Coverage,
    LadderContact,
    Priority,
    StepLimitOverride,
    TargetOverride,
    Waiver,
)
from services.intake.references import UnknownReference
from shared.errors import NotFound
from shared.sql import Filters

COLUMNS = (
    "id, customer_id, coverage, emergency_onsite_7x24, onsite_minutes, calendar, targets, warranty_start, "
    "warranty_end, originals_waiver, resident_engineer_id, ladder, step_limits, created_at, updated_at"
)
_INSERT = f"""INSERT INTO intake.contracts ({COLUMNS})
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING {COLUMNS}"""
_GET = f"SELECT {COLUMNS} FROM intake.contracts WHERE id = $1"
_LOCK = f"{_GET} FOR UPDATE"
_UPDATE = f"""UPDATE intake.contracts
              SET coverage = $2, emergency_onsite_7x24 = $3, onsite_minutes = $4, calendar = $5, targets = $6,
                  warranty_start = $7, warranty_end = $8, originals_waiver = $9, resident_engineer_id = $10,
                  ladder = $11, step_limits = $12, updated_at = $13
              WHERE id = $1 RETURNING {COLUMNS}"""
_LIST = f"SELECT {COLUMNS} FROM intake.contracts"


class ContractNotFound(NotFound):
    title = "No such contract"


def _overrides_json(overrides: Any) -> dict[str, Any]:
    """Targets or step limits, per priority."""
    return {str(priority): asdict(override) for priority, override in overrides.items()}


def _waiver_json(waiver: Waiver | None) -> dict[str, Any] | None:
    if waiver is None:
        return None
    return {
        "signed_by": waiver.signed_by,
        "signed_at": waiver.signed_at.isoformat(),
        "reference": waiver.reference,
    }


def contract_from(row: asyncpg.Record | dict[str, Any], prefix: str = "") -> Contract:
    """A contract from its columns, named `prefix + column` (a join reads them as c_*)."""

    def col(name: str) -> Any:
        return row[prefix + name]

    waiver = col("originals_waiver")
    return Contract(
        id=col("id"),
        customer_id=col("customer_id"),
        coverage=Coverage(col("coverage")),
        emergency_onsite_7x24=col("emergency_onsite_7x24"),
        onsite_minutes=col("onsite_minutes"),
        calendar=Calendar(col("calendar")),
        targets={Priority(p): TargetOverride(**t) for p, t in col("targets").items()},
        warranty_start=col("warranty_start"),
        warranty_end=col("warranty_end"),
        originals_waiver=None
        if waiver is None
        else Waiver(
            signed_by=waiver["signed_by"],
            signed_at=datetime.fromisoformat(waiver["signed_at"]),
            reference=waiver["reference"],
        ),
        resident_engineer_id=col("resident_engineer_id"),
        ladder=tuple(LadderContact(**step) for step in col("ladder")),
        created_at=col("created_at"),
        updated_at=col("updated_at"),
        step_limits={Priority(p): StepLimitOverride(**s) for p, s in col("step_limits").items()},
    )


def _values(contract: Contract) -> tuple[Any, ...]:
    return (
        contract.coverage.value,
        contract.emergency_onsite_7x24,
        contract.onsite_minutes,
        contract.calendar.value,
        _overrides_json(contract.targets),
        contract.warranty_start,
        contract.warranty_end,
        _waiver_json(contract.originals_waiver),
        contract.resident_engineer_id,
        [asdict(step) for step in contract.ladder],
        _overrides_json(contract.step_limits),
    )


async def insert(conn: Connection, contract: Contract) -> Contract:
    try:
        row = await conn.fetchrow(
            _INSERT, contract.id, contract.customer_id, *_values(contract), contract.created_at
        )
    except asyncpg.ForeignKeyViolationError:
        raise UnknownReference(
            f"customer {contract.customer_id} does not exist", field="customer_id"
        ) from None
    return contract_from(row)


async def get(conn: Connection, contract_id: UUID) -> Contract | None:
    row = await conn.fetchrow(_GET, contract_id)
    return None if row is None else contract_from(row)


async def lock(conn: Connection, contract_id: UUID) -> Contract | None:
    row = await conn.fetchrow(_LOCK, contract_id)
    return None if row is None else contract_from(row)


async def update(conn: Connection, contract: Contract) -> Contract:
    row = await conn.fetchrow(_UPDATE, contract.id, *_values(contract), contract.updated_at)
    if row is None:
        raise ContractNotFound(f"no contract {contract.id}")
    return contract_from(row)


async def page(
    conn: Connection, *, customer_id: UUID | None, after: tuple[datetime, UUID] | None, limit: int
) -> list[Contract]:
    filters = Filters().add_if(customer_id, "customer_id = {}")
    if after is not None:
        filters.add("(created_at, id) > ({}, {})", *after)
    sql = f"{_LIST} {filters.where()} ORDER BY created_at, id LIMIT {filters.param(limit + 1)}"
    return [contract_from(row) for row in await conn.fetch(sql, *filters.args)]
