"""Intake's tickets, as inventory needs to know them. Never commit."""

from __future__ import annotations

from services.inventory.tickets import store
from shared.db import UnitOfWork
from shared.events.envelope import Envelope
from shared.events.intake import TicketCreated


async def on_ticket_created(event: TicketCreated, envelope: Envelope, uow: UnitOfWork) -> None:
    await store.record(uow.conn, event.ticket_id, event.number, event.priority, uow.now)


EVENTS = {TicketCreated.type: on_ticket_created}
