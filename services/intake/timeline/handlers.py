"""The timeline: what other services said about a ticket, recorded as they said it.

Only facts that move nothing live here (an SLA clock met or breached, a loaner lent, a part
backordered); facts that move the ticket are recorded by the tickets slice as it moves it, in
the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from uuid import UUID

from services.intake.timeline import store
from services.intake.timeline.store import Entry, Recorded
from shared.db import UnitOfWork
from shared.events.envelope import Envelope
from shared.events.escalation import SlaBreached, SlaMet
from shared.events.inventory import (
    LoanerCheckedOut,
    LoanerReturned,
    PartAvailable,
    PartBackordered,
    ReplacementOrdered,
)

ESCALATION = "escalation"
INVENTORY = "inventory"


async def record(uow: UnitOfWork, entry: Entry) -> bool:
    return await store.record(uow.conn, entry, uow.now)


async def page(
    uow: UnitOfWork, ticket_id: UUID, *, after: int, limit: int
) -> list[Recorded] | None:
    """None when there is no such ticket (an empty page is a ticket with no more entries)."""
    entries = await store.page(uow.conn, ticket_id, after=after, limit=limit)
    if not entries and not await store.ticket_exists(uow.conn, ticket_id):
        return None
    return entries


async def ticket_exists(uow: UnitOfWork, ticket_id: UUID) -> bool:
    return await store.ticket_exists(uow.conn, ticket_id)


async def on_sla_met(event: SlaMet, envelope: Envelope, uow: UnitOfWork) -> None:
    await record(
        uow,
        Entry(
            ticket_id=event.ticket_id,
            at=event.met_at,
            kind=SlaMet.type,
            actor=ESCALATION,
            detail={
                "clock_id": str(event.clock_id),
                "clock": event.kind,
                "due_at": event.due_at.isoformat(),
                "met_at": event.met_at.isoformat(),
            },
            event_id=envelope.id,
        ),
    )


async def on_sla_breached(event: SlaBreached, envelope: Envelope, uow: UnitOfWork) -> None:
    await record(
        uow,
        Entry(
            ticket_id=event.ticket_id,
            at=event.due_at,  # a clock is breached the moment its deadline passes
            kind=SlaBreached.type,
            actor=ESCALATION,
            detail={
                "clock_id": str(event.clock_id),
                "clock": event.kind,
                "due_at": event.due_at.isoformat(),
            },
            event_id=envelope.id,
        ),
    )


# The SLA handlers above are in no map of this slice: reporting's handlers call them (one
# handler per type). Inventory's facts are, through one handler and a table of notes.


# What inventory did for a ticket, said so that whoever reads the timeline (the call centre,
# the customer's portal) needs no field list: the event's own fields fill the note, and go in
# the detail beside it.
INVENTORY_NOTES: Mapping[str, str] = MappingProxyType(
    {
        # IV-2: the customer keeps working while their unit is repaired.
        LoanerCheckedOut.type: "Loaner {loaner_serial} ({model}) lent to the customer",
        LoanerReturned.type: "Loaner {loaner_serial} ({model}) returned by the customer",
        PartBackordered.type: "Part {part_number} backordered: {quantity_short} short, "
        "awaited from the supplier",
        PartAvailable.type: "Part {part_number} arrived: {quantity_arrived} for this ticket",
        # IV-3: a unit that failed twice is replaced. Keyed by its serial; on the second
        # failure's ticket.
        ReplacementOrdered.type: "A new {model} ordered to replace {serial}, which failed twice",
    }
)
InventoryFact = (
    LoanerCheckedOut | LoanerReturned | PartBackordered | PartAvailable | ReplacementOrdered
)


async def on_inventory_fact(event: InventoryFact, envelope: Envelope, uow: UnitOfWork) -> None:
    fields = event.model_dump(mode="json", exclude={"ticket_id", "at"})
    await record(
        uow,
        Entry(
            ticket_id=event.ticket_id,
            at=event.at,
            kind=event.type,
            actor=INVENTORY,
            detail={"note": INVENTORY_NOTES[event.type].format_map(fields), **fields},
            event_id=envelope.id,
        ),
    )


EVENTS = {kind: on_inventory_fact for kind in INVENTORY_NOTES}
