"""Every SQL statement on dispatch's copy of intake's sites."""

from __future__ import annotations

from datetime import datetime

from asyncpg import Connection

from shared.events.intake import SiteEvent

# An `.updated` carries the whole site; an older one arriving late changes nothing.
_UPSERT = """
INSERT INTO dispatch.sites AS s (id, customer_id, name, address, latitude, longitude, timezone,
    region, registered_at, as_of)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
ON CONFLICT (id) DO UPDATE SET customer_id = EXCLUDED.customer_id, name = EXCLUDED.name,
    address = EXCLUDED.address, latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
    timezone = EXCLUDED.timezone, region = EXCLUDED.region, as_of = EXCLUDED.as_of
WHERE s.as_of <= EXCLUDED.as_of
"""


async def upsert(conn: Connection, site: SiteEvent, as_of: datetime) -> None:
    await conn.execute(
        _UPSERT,
        site.site_id,
        site.customer_id,
        site.name[:200],
        site.address[:500],
        site.latitude,
        site.longitude,
        site.timezone,
        site.region,
        as_of,
    )
