"""Every SQL statement on dispatch's copy of intake's contracts."""

from __future__ import annotations

from datetime import datetime

from asyncpg import Connection

from shared.events.intake import ContractEvent

# An `.updated` carries the whole contract; an older one arriving late changes nothing.
_UPSERT = """
INSERT INTO dispatch.contracts AS c (id, customer_id, coverage, emergency_onsite_7x24,
    onsite_minutes, calendar, warranty_start, warranty_end, resident_engineer_id, as_of)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (id) DO UPDATE SET customer_id = EXCLUDED.customer_id,
    coverage = EXCLUDED.coverage, emergency_onsite_7x24 = EXCLUDED.emergency_onsite_7x24,
    onsite_minutes = EXCLUDED.onsite_minutes, calendar = EXCLUDED.calendar,
    warranty_start = EXCLUDED.warranty_start, warranty_end = EXCLUDED.warranty_end,
    resident_engineer_id = EXCLUDED.resident_engineer_id, as_of = EXCLUDED.as_of
WHERE c.as_of <= EXCLUDED.as_of
"""


async def upsert(conn: Connection, contract: ContractEvent, as_of: datetime) -> None:
    await conn.execute(
        _UPSERT,
        contract.contract_id,
        contract.customer_id,
        contract.coverage,
        contract.emergency_onsite_7x24,
        contract.onsite_minutes,
        contract.calendar,
        contract.warranty_start,
        contract.warranty_end,
        contract.resident_engineer_id,
        as_of,
    )
