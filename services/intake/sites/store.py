"""Every statement on intake.sites; rows <-> `Site`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg
from asyncpg import Connection

from services.intake.references import UnknownReference
from shared.errors import NotFound
from shared.sql import Filters

COLUMNS = (
    "id, customer_id, name, address, latitude, longitude, timezone, region, created_at, updated_at"
)
_INSERT = f"""INSERT INTO intake.sites ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
              RETURNING {COLUMNS}"""
_GET = f"SELECT {COLUMNS} FROM intake.sites WHERE id = $1"
_LOCK = f"{_GET} FOR UPDATE"
_UPDATE = f"""UPDATE intake.sites SET name = $2, address = $3, latitude = $4, longitude = $5, timezone = $6,
                                      region = $7, updated_at = $8
              WHERE id = $1 RETURNING {COLUMNS}"""
_LIST = f"SELECT {COLUMNS} FROM intake.sites"


@dataclass(frozen=True, slots=True)
class Site:
    id: UUID
    customer_id: UUID
    name: str
    address: str
    latitude: float
    longitude: float
    timezone: str
    region: str | None
    created_at: datetime
    updated_at: datetime


class SiteNotFound(NotFound):
    title = "No such site"


def _site(row: asyncpg.Record) -> Site:
    return Site(**dict(row))


async def insert(conn: Connection, site: Site) -> Site:
    try:
        row = await conn.fetchrow(
            _INSERT,
            site.id,
            site.customer_id,
            site.name,
            site.address,
            site.latitude,
            site.longitude,
            site.timezone,
            site.region,
            site.created_at,
        )
    except asyncpg.ForeignKeyViolationError:
        raise UnknownReference(
            f"customer {site.customer_id} does not exist", field="customer_id"
        ) from None
    return _site(row)


async def get(conn: Connection, site_id: UUID) -> Site | None:
    row = await conn.fetchrow(_GET, site_id)
    return None if row is None else _site(row)


async def lock(conn: Connection, site_id: UUID) -> Site | None:
    row = await conn.fetchrow(_LOCK, site_id)
    return None if row is None else _site(row)


async def update(conn: Connection, site: Site) -> Site:
    row = await conn.fetchrow(
        _UPDATE,
        site.id,
        site.name,
        site.address,
        site.latitude,
        site.longitude,
        site.timezone,
        site.region,
        site.updated_at,
    )
    if row is None:
        raise SiteNotFound(f"no site {site.id}")
    return _site(row)


async def page(
    conn: Connection, *, customer_id: UUID | None, after: tuple[datetime, UUID] | None, limit: int
) -> list[Site]:
    """Oldest first; one row more than `limit`, so the caller knows whether another page exists."""
    filters = Filters().add_if(customer_id, "customer_id = {}")
    if after is not None:
        filters.add("(created_at, id) > ({}, {})", *after)
    sql = f"{_LIST} {filters.where()} ORDER BY created_at, id LIMIT {filters.param(limit + 1)}"
    return [_site(row) for row in await conn.fetch(sql, *filters.args)]
