"""Sites: register, change, read. Glue only: load, decide, save, publish; never commits."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from services.intake.sites import store
from services.intake.sites.commands import RegisterSite, UpdateSite
from services.intake.sites.store import Site, SiteNotFound
from shared.db import UnitOfWork
from shared.events.intake import SiteRegistered, SiteUpdated


def _facts(site: Site) -> dict[str, Any]:
    return {
        "site_id": site.id,
        "customer_id": site.customer_id,
        "name": site.name,
        "address": site.address,
        "latitude": site.latitude,
        "longitude": site.longitude,
        "timezone": site.timezone,
        "region": site.region,
    }


async def register_site(
    uow: UnitOfWork, command: RegisterSite
) -> tuple[Site, list[SiteRegistered]]:
    site = await store.insert(
        uow.conn,
        Site(
            id=uuid.uuid4(),
            customer_id=command.customer_id,
            name=command.name,
            address=command.address,
            latitude=command.latitude,
            longitude=command.longitude,
            timezone=command.timezone,
            region=command.region,
            created_at=uow.now,
            updated_at=uow.now,
        ),
    )
    return site, [SiteRegistered(**_facts(site), registered_at=uow.now)]


async def update_site(uow: UnitOfWork, command: UpdateSite) -> Site:
    site = await store.lock(uow.conn, command.site_id)
    if site is None:
        raise SiteNotFound(f"no site {command.site_id}")
    changed = replace(site, **command.changes)
    if changed == site:
        return site  # nothing new to tell dispatch or inventory
    saved = await store.update(uow.conn, replace(changed, updated_at=uow.now))
    uow.publish(SiteUpdated(**_facts(saved), updated_at=uow.now))
    return saved


async def get_site(uow: UnitOfWork, site_id: UUID) -> Site:
    site = await store.get(uow.conn, site_id)
    if site is None:
        raise SiteNotFound(f"no site {site_id}")
    return site


async def list_sites(
    uow: UnitOfWork, *, customer_id: UUID | None, after: tuple[datetime, UUID] | None, limit: int
) -> list[Site]:
    return await store.page(uow.conn, customer_id=customer_id, after=after, limit=limit)
