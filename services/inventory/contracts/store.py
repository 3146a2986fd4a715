"""Every SQL statement on inventory's copy of intake's contracts."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from asyncpg import Connection

from services.inventory.contracts.rules import Waiver
from shared.events.intake import ContractEvent

# A waiver withdrawn in a later `.updated` is withdrawn here too; an older event changes nothing.
_UPSERT = """
INSERT INTO inventory.contracts AS c (id, customer_id, waiver_reference, waiver_signed_by,
    waiver_signed_at, as_of)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (id) DO UPDATE SET customer_id = EXCLUDED.customer_id,
    waiver_reference = EXCLUDED.waiver_reference, waiver_signed_by = EXCLUDED.waiver_signed_by,
    waiver_signed_at = EXCLUDED.waiver_signed_at, as_of = EXCLUDED.as_of
WHERE c.as_of <= EXCLUDED.as_of
"""
_WAIVER = """
SELECT waiver_reference, waiver_signed_by, waiver_signed_at FROM inventory.contracts
WHERE id = $1 AND waiver_reference IS NOT NULL"""


async def upsert(conn: Connection, contract: ContractEvent, as_of: datetime) -> None:
    waiver = contract.originals_waiver
    await conn.execute(
        _UPSERT,
        contract.contract_id,
        contract.customer_id,
        waiver.reference[:100] if waiver else None,
        waiver.signed_by[:200] if waiver else None,
        waiver.signed_at if waiver else None,
        as_of,
    )


async def waiver(conn: Connection, contract_id: UUID) -> Waiver | None:
    row = await conn.fetchrow(_WAIVER, contract_id)
    if row is None:
        return None
    return Waiver(row["waiver_reference"], row["waiver_signed_by"], row["waiver_signed_at"])
