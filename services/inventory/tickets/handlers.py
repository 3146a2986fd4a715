"""Intake's tickets, as inventory needs to know them. Never commit.

Only `ticket.created` is read here; what a ticket's end does to its parts (released on
cancellation, consumed on resolution) belongs to the reservations slice, which moves the
status kept here too.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.inventory.tickets import rules, store
from shared.db import UnitOfWork
from shared.events.envelope import Envelope
from shared.events.intake import TicketCreated


async def on_ticket_created(event: TicketCreated, envelope: Envelope, uow: UnitOfWork) -> None:
    await store.record(uow.conn, event, uow.now)


async def live_ticket(uow: UnitOfWork, ticket_id: UUID) -> dict[str, Any]:
    """The ticket a reservation or a loan is for: known to inventory, neither cancelled nor
    closed."""
    ticket = await store.get(uow.conn, ticket_id)
    if ticket is None:
        raise rules.TicketNotKnown(
            f"inventory has not heard of ticket {ticket_id}", ticket_id=str(ticket_id)
        )
    if not rules.is_live(ticket["status"]):
        raise rules.TicketEnded(
            f"ticket {ticket_id} is {ticket['status']}",
            ticket_id=str(ticket_id),
            ticket_status=ticket["status"],
        )
    return ticket


EVENTS = {TicketCreated.type: on_ticket_created}
