"""Every SQL statement on inventory's copy of intake's sites."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from asyncpg import Connection

from shared.events.intake import SiteEvent

# An `.updated` carries the whole site; an older one arriving late changes nothing.
_UPSERT = """
INSERT INTO inventory.sites AS s (id, customer_id, latitude, longitude, as_of)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (id) DO UPDATE SET customer_id = EXCLUDED.customer_id,
    latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude, as_of = EXCLUDED.as_of
WHERE s.as_of <= EXCLUDED.as_of
"""
_POSITION = "SELECT latitude, longitude FROM inventory.sites WHERE id = $1"


async def upsert(conn: Connection, site: SiteEvent, as_of: datetime) -> None:
    await conn.execute(
        _UPSERT, site.site_id, site.customer_id, site.latitude, site.longitude, as_of
    )


async def position(conn: Connection, site_id: UUID) -> tuple[float, float] | None:
    row = await conn.fetchrow(_POSITION, site_id)
    return None if row is None else (row["latitude"], row["longitude"])
