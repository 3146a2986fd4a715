"""What happens to a ticket, in the field and at the centre, as its clocks and ladder hear it.

```
ticket.created               open the policy's clocks at reported_at; the ladder at level 0
ticket.reclassified          retarget the running clocks (replayed on the new targets)
ticket.awaiting_customer     pause restore and repair   (hold "awaiting_customer")
ticket.resumed               resume them
part.backordered             pause restore and repair   (hold "part_backordered:<part number>")
part.available               resume them
assignment.created           ladder: assigned (the first step's limit starts)
assignment.accepted          stop response; ladder: accepted
assignment.arrived           stop on_site; ladder: on site
assignment.unassigned        ladder: level 1 at once
ticket.resolved              stop every clock still running; ladder at rest
loaner.checked_out           stop repair (IV-2: the customer has a working unit)
ticket.reopened              reopen restore; ladder: the last step again
ticket.cancelled / .closed   stop every clock; ladder at rest for good
```

Decisions:
- A resolution stops the response and on-site clocks too when they still run: a fault fixed by
  phone before anyone accepted or travelled was answered, and needs no visit; leaving them to
  breach would escalate a ticket nobody has to act on.
- A fact about a ticket escalation has not heard of is kept (`early_facts`) and applied, at
  its own time, when `ticket.created` arrives: dispatch's and inventory's topics are read
  independently of intake's, so `assignment.created` may well come first.
- Pauses are holds by reason: the customer's wait and each backordered part are separate, and
  the clock runs again only when the last is lifted.

Glue only; never commits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from services.escalation.clocks import handlers as clocks
from services.escalation.clocks.clock import EntryKind
from services.escalation.clocks.policy import ClockKind
from services.escalation.contracts import store as contracts
from services.escalation.ladder import handlers as ladder
from services.escalation.ladder.rules import Milestone, Reached, Reopened, Stopped, Unassigned
from services.escalation.notifications import handlers as notifications
from services.escalation.tickets import store
from shared.db import UnitOfWork
from shared.events.base import Event, latest_version, parse_event
from shared.events.dispatch import (
    AssignmentAccepted,
    AssignmentArrived,
    AssignmentCreated,
    AssignmentUnassigned,
)
from shared.events.envelope import Envelope
from shared.events.intake import (
    TicketAwaitingCustomer,
    TicketCancelled,
    TicketClosed,
    TicketCreated,
    TicketReclassified,
    TicketReopened,
    TicketResolved,
    TicketResumed,
)
from shared.events.inventory import (
    LoanerCheckedOut,
    PartAvailable,
    PartBackordered,
    ReservationReleased,
)

Ticket = Mapping[str, Any]
Fact = Callable[[Any, str, Ticket, UnitOfWork], Awaitable[None]]

EVERY_CLOCK = frozenset(ClockKind)
# Restore and repair wait with the ticket; response and on-site are the engineers' promises.
PAUSABLE = frozenset({ClockKind.restore, ClockKind.repair})
AWAITING_CUSTOMER = "awaiting_customer"


def part_hold(part_number: str) -> str:
    return f"part_backordered:{part_number}"


async def on_ticket_created(event: TicketCreated, envelope: Envelope, uow: UnitOfWork) -> None:
    ticket = await store.record(uow.conn, event)
    if ticket is None:
        return
    await notifications.remember_ticket(uow, event)  # the number and contract e-mails name
    policy, _ = await contracts.terms_of(uow.conn, ticket)
    await clocks.open_clocks(uow, ticket, policy, source=envelope.id)
    await ladder.start(uow, ticket)
    for kept in await store.take_early(uow.conn, ticket["id"]):
        fact = parse_event(kept["type"], latest_version(kept["type"]), kept["payload"])
        ticket = await store.lock(uow.conn, event.ticket_id) or ticket
        await FACTS[type(fact)](fact, kept["event_id"], ticket, uow)


async def on_fact(event: Any, envelope: Envelope, uow: UnitOfWork) -> None:
    """Every fact after creation: applied to a known ticket, kept for one not heard of yet."""
    ticket = await store.lock(uow.conn, event.ticket_id)
    if ticket is None:
        await store.keep_early(
            uow.conn,
            envelope.id,
            event.ticket_id,
            event.type,
            event.model_dump(mode="json"),
            uow.now,
        )
        return
    await FACTS[type(event)](event, envelope.id, ticket, uow)


async def reclassified(
    event: TicketReclassified, source: str, ticket: Ticket, uow: UnitOfWork
) -> None:
    await store.set_priority(uow.conn, ticket["id"], event.new_priority)
    ticket = {**ticket, "priority": event.new_priority}
    policy, _ = await contracts.terms_of(uow.conn, ticket)
    await clocks.retarget(uow, ticket, policy, event.at, source=source)


# What holds the restore and repair clocks, and what lets them go: the entry each fact writes,
# and the hold it names (the clock stands still while any hold is on).
_HOLDS: dict[type[Event], tuple[EntryKind, Callable[[Any], str]]] = {
    TicketAwaitingCustomer: (EntryKind.pause, lambda _: AWAITING_CUSTOMER),
    TicketResumed: (EntryKind.resume, lambda _: AWAITING_CUSTOMER),
    PartBackordered: (EntryKind.pause, lambda e: part_hold(e.part_number)),
    PartAvailable: (EntryKind.resume, lambda e: part_hold(e.part_number)),
}


async def held(
    event: TicketAwaitingCustomer | TicketResumed | PartBackordered | PartAvailable,
    source: str,
    ticket: Ticket,
    uow: UnitOfWork,
) -> None:
    what, hold = _HOLDS[type(event)]
    await clocks.record(
        uow, ticket["id"], PAUSABLE, what, event.at, source=source, reason=hold(event)
    )


async def backorder_withdrawn(
    event: ReservationReleased, source: str, ticket: Ticket, uow: UnitOfWork
) -> None:
    """A backorder withdrawn before any stock came lets its hold go, as the part's arrival
    would: nobody waits for the supplier any more. A release of a held part moves no clock."""
    if event.location_id is None:
        await clocks.record(
            uow,
            ticket["id"],
            PAUSABLE,
            EntryKind.resume,
            event.at,
            source=source,
            reason=part_hold(event.part_number),
        )


async def assigned(event: AssignmentCreated, source: str, ticket: Ticket, uow: UnitOfWork) -> None:
    await store.add_engineer(uow.conn, ticket["id"], event.engineer_id)
    await ladder.feed(uow, ticket, Reached(Milestone.assigned, event.assigned_at))


async def accepted(event: AssignmentAccepted, source: str, ticket: Ticket, uow: UnitOfWork) -> None:
    await clocks.record(
        uow, ticket["id"], {ClockKind.response}, EntryKind.stop, event.accepted_at, source=source
    )
    await ladder.feed(uow, ticket, Reached(Milestone.accepted, event.accepted_at))


async def arrived(event: AssignmentArrived, source: str, ticket: Ticket, uow: UnitOfWork) -> None:
    await clocks.record(
        uow, ticket["id"], {ClockKind.on_site}, EntryKind.stop, event.occurred_at, source=source
    )
    await ladder.feed(uow, ticket, Reached(Milestone.on_site, event.occurred_at))


async def unassigned(
    event: AssignmentUnassigned, source: str, ticket: Ticket, uow: UnitOfWork
) -> None:
    await ladder.feed(uow, ticket, Unassigned(event.at))


async def resolved(event: TicketResolved, source: str, ticket: Ticket, uow: UnitOfWork) -> None:
    await store.set_status(uow.conn, ticket["id"], "resolved")
    await clocks.record(
        uow, ticket["id"], EVERY_CLOCK, EntryKind.stop, event.resolved_at, source=source
    )
    await ladder.feed(uow, ticket, Reached(Milestone.resolved, event.resolved_at))


async def loaner_out(event: LoanerCheckedOut, source: str, ticket: Ticket, uow: UnitOfWork) -> None:
    await clocks.record(
        uow, ticket["id"], {ClockKind.repair}, EntryKind.stop, event.at, source=source
    )


async def reopened(event: TicketReopened, source: str, ticket: Ticket, uow: UnitOfWork) -> None:
    await store.set_status(uow.conn, ticket["id"], "open")
    await clocks.record(
        uow, ticket["id"], {ClockKind.restore}, EntryKind.reopen, event.at, source=source
    )
    await ladder.feed(uow, ticket, Reopened(event.at))


async def ended(
    event: TicketCancelled | TicketClosed, source: str, ticket: Ticket, uow: UnitOfWork
) -> None:
    status = "cancelled" if isinstance(event, TicketCancelled) else "closed"
    await store.set_status(uow.conn, ticket["id"], status)
    await clocks.record(uow, ticket["id"], EVERY_CLOCK, EntryKind.stop, event.at, source=source)
    await ladder.feed(uow, ticket, Stopped(event.at))


FACTS: dict[type[Event], Fact] = {
    TicketReclassified: reclassified,
    TicketAwaitingCustomer: held,
    TicketResumed: held,
    PartBackordered: held,
    PartAvailable: held,
    ReservationReleased: backorder_withdrawn,
    AssignmentCreated: assigned,
    AssignmentAccepted: accepted,
    AssignmentArrived: arrived,
    AssignmentUnassigned: unassigned,
    TicketResolved: resolved,
    LoanerCheckedOut: loaner_out,
    TicketReopened: reopened,
    TicketCancelled: ended,
    TicketClosed: ended,
}

EVENTS = {TicketCreated.type: on_ticket_created} | {cls.type: on_fact for cls in FACTS}
