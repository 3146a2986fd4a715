"""Every SQL statement on inventory's copy of intake's assets."""

from __future__ import annotations

from typing import Any

from asyncpg import Connection

from shared.events.intake import AssetRegistered

_UPSERT = """
INSERT INTO inventory.assets AS a (serial, asset_id, manufacturer, model, customer_id, site_id,
    contract_id, as_of)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (serial) DO UPDATE SET asset_id = EXCLUDED.asset_id,
    manufacturer = EXCLUDED.manufacturer, model = EXCLUDED.model,
    customer_id = EXCLUDED.customer_id, site_id = EXCLUDED.site_id,
    contract_id = EXCLUDED.contract_id, as_of = EXCLUDED.as_of
WHERE a.as_of <= EXCLUDED.as_of
"""
_GET = (
    "SELECT serial, asset_id, manufacturer, model, customer_id, site_id, contract_id "
    "FROM inventory.assets WHERE serial = $1"
)


async def upsert(conn: Connection, asset: AssetRegistered) -> None:
    await conn.execute(
        _UPSERT,
        asset.serial[:100],
        asset.asset_id,
        asset.manufacturer[:100],
        asset.model[:100],
        asset.customer_id,
        asset.site_id,
        asset.contract_id,
        asset.registered_at,
    )


async def get(conn: Connection, serial: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(_GET, serial)
    return None if row is None else dict(row)
