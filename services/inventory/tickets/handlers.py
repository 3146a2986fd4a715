"""Intake's tickets, as inventory needs to know them. Never commit.

Only `ticket.created` is read here; what a ticket's end does to its parts (released on
cancellation, consumed on resolution) belongs to the reservations slice, which moves the
status kept here too.
"""

from __future__ import annotations

from services.inventory.tickets import store
from shared.db import UnitOfWork
from shared.events.envelope import Envelope
from shared.events.intake import TicketCreated


async def on_ticket_created(event: TicketCreated, envelope: Envelope, uow: UnitOfWork) -> None:
    await store.record(uow.conn, event, uow.now)


EVENTS = {TicketCreated.type: on_ticket_created}
