"""The parts catalogue. Glue only; never commit."""

from __future__ import annotations

from typing import Any

from services.inventory.parts import store
from services.inventory.parts.commands import RegisterPart, SetReorderPoint, UpdatePart
from services.inventory.parts.rules import PartNotFound
from shared.commands import Created
from shared.db import UnitOfWork
from shared.events.inventory import PartRegistered

EDITABLE = ("description", "models", "original", "condition", "unit_cost")


async def register_part(uow: UnitOfWork, command: RegisterPart) -> Created:
    part = await store.insert(
        uow.conn,
        command.part_number,
        command.manufacturer,
        command.description,
        list(command.models),
        command.original,
        command.condition.value,
        command.unit_cost,
        uow.now,
    )
    # The unit cost stays out of the event: every consumer of the topic would learn it (IV-7).
    return part, [
        PartRegistered(
            part_number=command.part_number,
            manufacturer=command.manufacturer,
            description=command.description,
            models=list(command.models),
            original=command.original,
            condition=command.condition.value,
        )
    ]


async def update_part(uow: UnitOfWork, command: UpdatePart) -> dict[str, Any]:
    part = await store.lock(uow.conn, command.part_number)
    if part is None:
        raise PartNotFound(f"no part {command.part_number}", part_number=command.part_number)
    merged = {name: command.changes.get(name, part[name]) for name in EDITABLE}
    return await store.update(uow.conn, command.part_number, merged, uow.now)


async def set_reorder_point(uow: UnitOfWork, command: SetReorderPoint) -> dict[str, Any]:
    return await store.set_reorder_point(
        uow.conn, command.part_number, command.location_id, command.reorder_point
    )


async def get_part(uow: UnitOfWork, part_number: str) -> dict[str, Any] | None:
    return await store.get(uow.conn, part_number)


async def list_parts(
    uow: UnitOfWork,
    *,
    after: str | None,
    limit: int,
    manufacturer: str | None = None,
    model: str | None = None,
) -> list[dict[str, Any]]:
    return await store.page(
        uow.conn, after=after, limit=limit, manufacturer=manufacturer, model=model
    )
