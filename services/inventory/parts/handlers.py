"""The parts catalogue. Glue only; never commit."""

from __future__ import annotations

from typing import Any

from services.inventory.parts import rules, store
from services.inventory.parts.commands import RegisterPart
from shared.db import UnitOfWork
from shared.events.base import Event
from shared.events.inventory import PartRegistered

Created = tuple[dict[str, Any], list[Event]]


async def register_part(uow: UnitOfWork, command: RegisterPart) -> Created:
    part = await store.insert(
        uow.conn, command.part_number, command.vendor, command.description, uow.now
    )
    return part, [
        PartRegistered(
            part_number=command.part_number, vendor=command.vendor, description=command.description
        )
    ]


async def visible_vendor(
    uow: UnitOfWork, part_number: str, *, vendor: str | None, is_staff: bool
) -> str | None:
    """The part's vendor when the caller may see the part (IV-7); None otherwise."""
    part_vendor = await store.vendor_of(uow.conn, part_number)
    if part_vendor is None or not rules.may_see(part_vendor, vendor=vendor, is_staff=is_staff):
        return None
    return part_vendor
