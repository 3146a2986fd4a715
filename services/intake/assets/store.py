"""Every statement on intake.assets; rows <-> `Asset`, and the lookup a ticket by serial makes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import asyncpg
from asyncpg import Connection

from services.intake.contracts import store as contracts_store
from services.intake.contracts.rules import Contract, Warranty
from services.intake.references import UnknownReference
from shared.errors import Conflict, DomainError, NotFound
from shared.sql import Filters

COLUMNS = (
    "id, customer_id, site_id, contract_id, manufacturer, model, serial, accepted_on, warranty_end, "
    "created_at, updated_at"
)
_INSERT = f"""INSERT INTO intake.assets ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
              RETURNING {COLUMNS}"""
_GET = f"SELECT {COLUMNS} FROM intake.assets WHERE id = $1"
_LOCK = f"{_GET} FOR UPDATE"
_UPDATE = f"""UPDATE intake.assets SET site_id = $2, contract_id = $3, model = $4, accepted_on = $5,
                                       warranty_end = $6, updated_at = $7
              WHERE id = $1 RETURNING {COLUMNS}"""
_LIST = f"SELECT {COLUMNS} FROM intake.assets"
_WITH_CONTRACT = f"""SELECT {", ".join(f"a.{c.strip()}" for c in COLUMNS.split(","))},
                            {", ".join(f"c.{c.strip()} AS c_{c.strip()}" for c in contracts_store.COLUMNS.split(","))}
                     FROM intake.assets a JOIN intake.contracts c ON c.id = a.contract_id"""
# Three rows are enough to tell "one" from "several" and to name a few of the makers.
_BY_SERIAL = f"{_WITH_CONTRACT} WHERE a.serial = $1 ORDER BY a.manufacturer LIMIT 3"
_BY_SERIAL_AND_MAKER = f"{_WITH_CONTRACT} WHERE a.serial = $1 AND a.manufacturer = $2"


@dataclass(frozen=True, slots=True)
class Asset:
    id: UUID
    customer_id: UUID
    site_id: UUID
    contract_id: UUID
    manufacturer: str
    model: str
    serial: str
    accepted_on: date
    warranty_end: date
    created_at: datetime
    updated_at: datetime

    @property
    def warranty(self) -> Warranty:
        return Warranty(self.accepted_on, self.warranty_end)


@dataclass(frozen=True, slots=True)
class InstalledAsset:
    """An asset with the contract it is serviced under: what a ticket by serial is entitled by."""

    asset: Asset
    contract: Contract


class AssetNotFound(NotFound):
    title = "No such asset"


class DuplicateSerial(Conflict):
    title = "Serial already registered"


class UnknownSerial(DomainError):
    title = "Unknown serial"


class AmbiguousSerial(DomainError):
    title = "Serial matches several manufacturers"


def _asset(row: asyncpg.Record) -> Asset:
    return Asset(**{name: row[name] for name in Asset.__dataclass_fields__})


async def insert(conn: Connection, asset: Asset) -> Asset:
    try:
        row = await conn.fetchrow(
            _INSERT,
            asset.id,
            asset.customer_id,
            asset.site_id,
            asset.contract_id,
            asset.manufacturer,
            asset.model,
            asset.serial,
            asset.accepted_on,
            asset.warranty_end,
            asset.created_at,
        )
    except asyncpg.UniqueViolationError:
        raise DuplicateSerial(
            f"{asset.manufacturer} serial {asset.serial} is registered already",
            field="serial",
            manufacturer=asset.manufacturer,
        ) from None
    except asyncpg.ForeignKeyViolationError as exc:
        raise _unknown(exc, asset) from None
    return _asset(row)


def _unknown(exc: asyncpg.ForeignKeyViolationError, asset: Asset) -> UnknownReference:
    # The handler checked site and contract already; a violation here is one deleted meanwhile.
    column = {"assets_site_id_fkey": "site_id", "assets_contract_id_fkey": "contract_id"}.get(
        exc.constraint_name or "", "customer_id"
    )
    return UnknownReference(
        f"{column.removesuffix('_id')} {getattr(asset, column)} does not exist", field=column
    )


async def get(conn: Connection, asset_id: UUID) -> Asset | None:
    row = await conn.fetchrow(_GET, asset_id)
    return None if row is None else _asset(row)


async def lock(conn: Connection, asset_id: UUID) -> Asset | None:
    row = await conn.fetchrow(_LOCK, asset_id)
    return None if row is None else _asset(row)


async def update(conn: Connection, asset: Asset) -> Asset:
    try:
        row = await conn.fetchrow(
            _UPDATE,
            asset.id,
            asset.site_id,
            asset.contract_id,
            asset.model,
            asset.accepted_on,
            asset.warranty_end,
            asset.updated_at,
        )
    except asyncpg.ForeignKeyViolationError as exc:
        raise _unknown(exc, asset) from None
    if row is None:
        raise AssetNotFound(f"no asset {asset.id}")
    return _asset(row)


async def page(
    conn: Connection,
    *,
    customer_id: UUID | None,
    site_id: UUID | None,
    serial: str | None,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[Asset]:
    filters = (
        Filters()
        .add_if(customer_id, "customer_id = {}")
        .add_if(site_id, "site_id = {}")
        .add_if(serial, "serial = {}")
    )
    if after is not None:
        filters.add("(created_at, id) > ({}, {})", *after)
    sql = f"{_LIST} {filters.where()} ORDER BY created_at, id LIMIT {filters.param(limit + 1)}"
    return [_asset(row) for row in await conn.fetch(sql, *filters.args)]


async def find_by_serial(
    conn: Connection, serial: str, manufacturer: str | None = None
) -> InstalledAsset:
    """IN-10: the asset a caller reads off the label, with its contract, in one round trip.

    Serials are unique per manufacturer only: without the manufacturer, a serial two makers
    use is refused as ambiguous (naming them) rather than guessed.
    """
    if manufacturer is None:
        rows = await conn.fetch(_BY_SERIAL, serial)
    else:
        rows = await conn.fetch(_BY_SERIAL_AND_MAKER, serial, manufacturer)
    if not rows:
        detail = f"no asset with serial {serial}" + (
            f" from {manufacturer}" if manufacturer else ""
        )
        raise UnknownSerial(detail, field="serial")
    if len(rows) > 1:
        makers = ", ".join(row["manufacturer"] for row in rows)
        raise AmbiguousSerial(
            f"serial {serial} is registered for several manufacturers ({makers}): "
            "send the manufacturer too",
            field="manufacturer",
            manufacturers=makers,
        )
    return InstalledAsset(
        asset=_asset(rows[0]), contract=contracts_store.contract_from(rows[0], prefix="c_")
    )
