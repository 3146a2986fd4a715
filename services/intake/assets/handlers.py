"""The installed base: register, change, read. Glue only; never commits."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from services.intake.assets import store
from services.intake.assets.commands import RegisterAsset, UpdateAsset
from services.intake.assets.store import Asset, AssetNotFound
from services.intake.contracts import rules
from services.intake.contracts import store as contracts
from services.intake.references import ForeignReference, UnknownReference
from services.intake.sites import store as sites
from shared.db import UnitOfWork
from shared.events.intake import AssetRegistered


async def _check_placement(uow: UnitOfWork, asset: Asset) -> None:
    """The site and the contract exist and are the asset's customer's own."""
    site = await sites.get(uow.conn, asset.site_id)
    if site is None:
        raise UnknownReference(f"site {asset.site_id} does not exist", field="site_id")
    if site.customer_id != asset.customer_id:
        raise ForeignReference(f"site {asset.site_id} is another customer's", field="site_id")
    contract = await contracts.get(uow.conn, asset.contract_id)
    if contract is None:
        raise UnknownReference(f"contract {asset.contract_id} does not exist", field="contract_id")
    if contract.customer_id != asset.customer_id:
        raise ForeignReference(
            f"contract {asset.contract_id} is another customer's", field="contract_id"
        )


async def register_asset(
    uow: UnitOfWork, command: RegisterAsset
) -> tuple[Asset, list[AssetRegistered]]:
    warranty = rules.Warranty.from_acceptance(command.accepted_on, command.warranty_end)
    asset = Asset(
        id=uuid.uuid4(),
        customer_id=command.customer_id,
        site_id=command.site_id,
        contract_id=command.contract_id,
        manufacturer=command.manufacturer,
        model=command.model,
        serial=command.serial,
        accepted_on=warranty.start,
        warranty_end=warranty.end,
        created_at=uow.now,
        updated_at=uow.now,
    )
    await _check_placement(uow, asset)
    saved = await store.insert(uow.conn, asset)
    return saved, [
        AssetRegistered(
            serial=saved.serial,
            manufacturer=saved.manufacturer,
            model=saved.model,
            asset_id=saved.id,
            customer_id=saved.customer_id,
            site_id=saved.site_id,
            contract_id=saved.contract_id,
            accepted_on=saved.accepted_on,
            warranty_end=saved.warranty_end,
            registered_at=uow.now,
        )
    ]


async def update_asset(uow: UnitOfWork, command: UpdateAsset) -> Asset:
    asset = await store.lock(uow.conn, command.asset_id)
    if asset is None:
        raise AssetNotFound(f"no asset {command.asset_id}")
    changed = replace(asset, **command.changes)
    if changed == asset:
        return asset
    rules.Warranty(
        changed.accepted_on, changed.warranty_end
    )  # WarrantyInverted when the dates cross
    if (changed.site_id, changed.contract_id) != (asset.site_id, asset.contract_id):
        await _check_placement(uow, changed)
    return await store.update(uow.conn, replace(changed, updated_at=uow.now))


async def get_asset(uow: UnitOfWork, asset_id: UUID) -> Asset:
    asset = await store.get(uow.conn, asset_id)
    if asset is None:
        raise AssetNotFound(f"no asset {asset_id}")
    return asset


async def list_assets(
    uow: UnitOfWork,
    *,
    customer_id: UUID | None,
    site_id: UUID | None,
    serial: str | None,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[Asset]:
    return await store.page(
        uow.conn, customer_id=customer_id, site_id=site_id, serial=serial, after=after, limit=limit
    )
