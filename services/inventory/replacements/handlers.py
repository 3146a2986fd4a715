"""IV-3: a product that failed twice in warranty is replaced by a new unit of the same model.
Never commit."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from services.inventory.replacements import rules, store
from services.inventory.replacements.commands import DeliverReplacement
from services.inventory.replacements.rules import Move, ReplacementNotFound, ReplacementStatus
from shared.db import UnitOfWork
from shared.events.envelope import Envelope
from shared.events.intake import AssetRepeatFailure
from shared.events.inventory import ReplacementOrdered


async def on_repeat_failure(event: AssetRepeatFailure, envelope: Envelope, uow: UnitOfWork) -> None:
    ordered = await store.order(
        uow.conn,
        {
            "id": uuid.uuid4(),
            "serial": event.serial[:100],
            "model": event.model[:100],
            "manufacturer": event.manufacturer[:100],
            "customer_id": event.customer_id,
            "site_id": event.site_id,
            "earlier_ticket_id": event.earlier_ticket_id,
            "ticket_id": event.ticket_id,
            "ordered_at": uow.now,
        },
    )
    if ordered is None:
        return
    uow.publish(
        ReplacementOrdered(
            serial=event.serial,
            replacement_id=ordered["id"],
            model=event.model,
            manufacturer=event.manufacturer,
            customer_id=event.customer_id,
            site_id=event.site_id,
            earlier_ticket_id=event.earlier_ticket_id,
            ticket_id=event.ticket_id,
            at=uow.now,
        )
    )


async def deliver(command: DeliverReplacement, uow: UnitOfWork) -> dict[str, Any]:
    replacement_id = command.replacement_id
    replacement = await store.lock(uow.conn, replacement_id)
    if replacement is None:
        raise ReplacementNotFound(
            f"no replacement {replacement_id}", replacement_id=str(replacement_id)
        )
    to = rules.move(ReplacementStatus(replacement["status"]), Move.deliver)
    return await store.move(uow.conn, replacement_id, to.value)


async def list_replacements(
    uow: UnitOfWork,
    *,
    serial: str | None,
    status: str | None,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[dict[str, Any]]:
    return await store.page(uow.conn, serial=serial, status=status, after=after, limit=limit)


EVENTS = {AssetRepeatFailure.type: on_repeat_failure}
