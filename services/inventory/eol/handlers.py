"""IV-5: a manufacturer's end of production, announced so intake can tell the customers who
own the models 6 months ahead. Never commit."""

from __future__ import annotations

import uuid
from typing import Any

from services.inventory.eol import rules, store
from services.inventory.eol.commands import AnnounceEol
from services.inventory.eol.rules import EolPartNotFound, NotTheManufacturers, Scope
from shared.db import UnitOfWork
from shared.events.inventory import PartEolAnnounced


async def announce(command: AnnounceEol, uow: UnitOfWork) -> dict[str, Any]:
    rules.may_announce(command.manufacturer, vendor=command.vendor, is_admin=command.is_admin)
    late = rules.late_notice(command.end_of_production, uow.now.date())
    if command.part_number is not None:
        part = await store.part(uow.conn, command.part_number)
        if part is None or (not command.is_admin and part["manufacturer"] != command.vendor):
            # IV-7: another maker's part is, to a vendor, a part that does not exist.
            raise EolPartNotFound(f"no part {command.part_number}", part_number=command.part_number)
        if part["manufacturer"] != command.manufacturer:
            raise NotTheManufacturers(
                f"part {command.part_number} is made by {part['manufacturer']}",
                part_number=command.part_number,
                part_manufacturer=part["manufacturer"],
            )
        scope, key, models = Scope.part, command.part_number, list(part["models"])
    else:
        model = command.model or ""
        scope, key, models = Scope.model, model, [model]
    announcement = await store.insert(
        uow.conn,
        {
            "id": uuid.uuid4(),
            "manufacturer": command.manufacturer,
            "part_number": command.part_number,
            "model": command.model,
            "models": models,
            "end_of_production": command.end_of_production,
            "late_notice": late,
            "announced_at": uow.now,
            "announced_by": command.by,
        },
    )
    uow.publish(
        PartEolAnnounced(
            part_number=key,
            manufacturer=command.manufacturer,
            models=models,
            end_of_production=command.end_of_production,
            announced_at=uow.now,
            scope=scope.value,
            late_notice=late,
        )
    )
    return {**announcement, "scope": scope.value}


async def list_announcements(
    uow: UnitOfWork, *, manufacturer: str | None, limit: int
) -> list[dict[str, Any]]:
    rows = await store.listed(uow.conn, manufacturer=manufacturer, limit=limit)
    return [{**r, "scope": (Scope.part if r["part_number"] else Scope.model).value} for r in rows]
