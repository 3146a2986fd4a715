"""The vendor API's reads (IV-7). Glue only; never commit."""

from __future__ import annotations

from dataclasses import dataclass

from services.inventory.parts.rules import PartNotFound
from services.inventory.stock import store as stock
from services.inventory.stock.ledger import Level
from services.inventory.vendors import rules, store
from services.inventory.vendors.rules import VendorPart, where_available
from shared.db import UnitOfWork


@dataclass(frozen=True, slots=True)
class Availability:
    part_number: str
    manufacturer: str
    locations: list[Level]

    @property
    def available(self) -> int:
        return sum(location.available for location in self.locations)


@dataclass(frozen=True, slots=True)
class VendorParts:
    parts: list[tuple[VendorPart, list[Level]]]
    # The last part number of this page when another follows: the next page's `after`.
    next_after: str | None


async def availability(
    uow: UnitOfWork, part_number: str, *, vendor: str | None, is_staff: bool
) -> Availability:
    manufacturer = await store.manufacturer_of(uow.conn, part_number)
    if manufacturer is None or not rules.may_see(manufacturer, vendor=vendor, is_staff=is_staff):
        # IV-7: another maker's part is answered exactly as one that does not exist, so a vendor
        # cannot learn which part numbers its competitors have with us.
        raise PartNotFound(f"no part {part_number}", part_number=part_number)
    levels = await stock.levels(uow.conn, part_number)
    return Availability(part_number, manufacturer, where_available(levels))


async def vendor_parts(
    uow: UnitOfWork, vendor: str | None, *, after: str | None, limit: int
) -> VendorParts:
    if vendor is None:
        raise rules.NotAVendor("only a partner vendor's token has parts of its own")
    # One more than asked: whether another page follows, without counting the rest.
    parts = await store.vendor_parts(uow.conn, vendor, after=after, limit=limit + 1)
    more = len(parts) > limit
    parts = parts[:limit]
    levels = await stock.levels_of(uow.conn, [p.part_number for p in parts])
    return VendorParts(
        [(p, where_available(levels[p.part_number])) for p in parts],
        parts[-1].part_number if more else None,
    )
