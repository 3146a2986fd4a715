"""Tickets: record fault reports, and move them as dispatch reports its facts.

Glue only: load (store), decide (lifecycle, classification), save (store), publish.
They run inside a unit of work and never commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from services.intake.reports import handlers as reports
from services.intake.reports import rules as report_rules
from services.intake.reports.rules import FaultType, Part, Report, Source
from services.intake.tickets import lifecycle, store
from services.intake.tickets.classification import UnknownCustomer, classify
from services.intake.tickets.commands import (
    AwaitCustomer,
    CancelTicket,
    CentreMove,
    CloseTicket,
    CreateTicket,
    ReclassifyTicket,
    ReopenTicket,
    ResolveTicket,
    ResumeTicket,
)
from services.intake.tickets.lifecycle import Move, Ticket, TicketMoved
from services.intake.timeline import handlers as timeline
from services.intake.timeline import store as timeline_store
from services.intake.timeline.store import Entry
from shared.db import UnitOfWork
from shared.errors import DomainError
from shared.events.base import Event
from shared.events.dispatch import (
    AssignmentAccepted,
    AssignmentArrived,
    AssignmentCompleted,
    AssignmentCreated,
    AssignmentUnassigned,
)
from shared.events.envelope import Envelope
from shared.events.intake import (
    PartUsed,
    TicketAwaitingCustomer,
    TicketCancelled,
    TicketClosed,
    TicketCreated,
    TicketReclassified,
    TicketReopened,
    TicketResolved,
    TicketResumed,
)

# What a create answers with: the new row and the events it causes, or the refusal.
Created = tuple[dict[str, Any], list[Event]]


async def create_tickets(
    uow: UnitOfWork, commands: list[CreateTicket]
) -> list[Created | DomainError]:
    """IN-1/IN-2/IN-3: record a batch of fault reports in one statement, each classified and
    handed on. The ticket and its `ticket.created` commit together, so dispatch and escalation
    always hear of it."""
    ids = [uuid.uuid4() for _ in commands]
    created = await store.insert_many(
        uow.conn,
        [
            {
                "id": ticket_id,
                "customer_id": c.customer_id,
                "summary": c.summary,
                "description": c.description,
                "channel": c.channel.value,
                "category": c.category.value,
                "impact": c.impact.value,
                "priority": classify(c.impact).value,
                "region": c.region,
                "created_by": c.created_by,
            }
            for ticket_id, c in zip(ids, commands, strict=True)
        ],
        uow.now,
    )
    await timeline_store.record_created(uow.conn, created, uow.now)
    results: list[Created | DomainError] = []
    for ticket_id, command in zip(ids, commands, strict=True):
        ticket = created.get(ticket_id)
        if ticket is None:
            results.append(
                UnknownCustomer(
                    f"customer {command.customer_id} does not exist",
                    customer_id=command.customer_id,
                )
            )
            continue
        results.append(
            (
                ticket,
                [
                    TicketCreated(
                        ticket_id=ticket["id"],
                        number=ticket["number"],
                        customer_id=ticket["customer_id"],
                        priority=ticket["priority"],
                        category=ticket["category"],
                        channel=ticket["channel"],
                        summary=ticket["summary"],
                        region=ticket["region"],
                        created_at=ticket["created_at"],
                    )
                ],
            )
        )
    return results


async def get_ticket(uow: UnitOfWork, ticket_id: UUID) -> dict[str, Any] | None:
    return await store.get(uow.conn, ticket_id)


async def list_tickets(
    uow: UnitOfWork,
    *,
    after: tuple[datetime, UUID] | None,
    limit: int,
    status: str | None,
    customer_id: UUID | None,
) -> list[dict[str, Any]]:
    return await store.page(
        uow.conn, after=after, limit=limit, status=status, customer_id=customer_id
    )


# --- the ticket's life after creation (IN-4, IN-5): the centre's moves and dispatch's facts ---


async def _locked(uow: UnitOfWork, ticket_id: UUID) -> Ticket:
    ticket = await store.lock(uow.conn, ticket_id)
    if ticket is None:
        raise lifecycle.TicketNotFound(f"no ticket {ticket_id}", ticket_id=ticket_id)
    return ticket


async def _save(uow: UnitOfWork, ticket: Ticket, moved: TicketMoved | None) -> dict[str, str]:
    """Store the move, if any; the `from` and `to` statuses the timeline shows (equal: none)."""
    if moved is not None:
        await store.save(uow.conn, moved.applied_to(ticket), uow.now)
    return _statuses(ticket, moved)


async def _centre_move(
    uow: UnitOfWork, ticket_id: UUID, how: Move, *, by: str, kind: str, **why: Any
) -> tuple[Ticket, TicketMoved]:
    """Lock, decide (IllegalMove and ReopenWindowClosed are 409s), save, and say so on the timeline."""
    ticket = await _locked(uow, ticket_id)
    moved = lifecycle.move(ticket, how, uow.now)
    if moved is None:  # the table answers None only to dispatch's facts
        raise TypeError(f"{how} is not one of the centre's moves")
    statuses = await _save(uow, ticket, moved)
    await timeline.record(uow, Entry(ticket.id, uow.now, kind, by, {**statuses, **why}))
    return ticket, moved


async def _answer(uow: UnitOfWork, ticket_id: UUID) -> dict[str, Any]:
    ticket = await store.get(uow.conn, ticket_id)
    if ticket is None:  # it was locked in this transaction a moment ago
        raise lifecycle.TicketNotFound(f"no ticket {ticket_id}", ticket_id=ticket_id)
    return ticket


async def await_customer(command: AwaitCustomer, uow: UnitOfWork) -> dict[str, Any]:
    """Work waits for the customer: escalation pauses the restore clock."""
    await _centre_move(
        uow,
        command.ticket_id,
        Move.await_customer,
        by=command.by,
        kind=TicketAwaitingCustomer.type,
        reason=command.reason,
    )
    uow.publish(
        TicketAwaitingCustomer(ticket_id=command.ticket_id, reason=command.reason, at=uow.now)
    )
    return await _answer(uow, command.ticket_id)


async def resume(command: ResumeTicket, uow: UnitOfWork) -> dict[str, Any]:
    await _centre_move(
        uow,
        command.ticket_id,
        Move.resume,
        by=command.by,
        kind=TicketResumed.type,
        reason=command.reason,
    )
    uow.publish(TicketResumed(ticket_id=command.ticket_id, reason=command.reason, at=uow.now))
    return await _answer(uow, command.ticket_id)


async def resolve(command: ResolveTicket, uow: UnitOfWork) -> dict[str, Any]:
    """IN-5: the centre resolves a fault fixed by phone; the report is kept as an engineer's is."""
    report_rules.check_parts(command.report.parts_used)
    ticket = await _locked(uow, command.ticket_id)
    moved = lifecycle.move(ticket, Move.resolve, uow.now)
    if moved is None:
        raise TypeError("resolve is one of the centre's moves")
    await _resolution(
        uow, ticket, moved, command.report, source=Source.centre, assignment_id=None, by=command.by
    )
    return await _answer(uow, command.ticket_id)


async def _resolution(
    uow: UnitOfWork,
    ticket: Ticket,
    moved: TicketMoved,
    report: Report,
    *,
    source: Source,
    assignment_id: UUID | None,
    by: str,
) -> None:
    """Whoever resolved it, the centre or an engineer: the same report, event and checks."""
    statuses = await _save(uow, ticket, moved)
    stored = await reports.record_report(
        uow,
        ticket_id=ticket.id,
        report=report,
        resolved_at=moved.at,
        source=source,
        assignment_id=assignment_id,
        by=by,
    )
    await timeline.record(
        uow,
        Entry(
            ticket.id,
            moved.at,
            TicketResolved.type,
            by,
            {
                **statuses,
                "report_id": str(stored.id),
                "source": source.value,
                **reports.summary(report),
            },
        ),
    )
    uow.publish(
        TicketResolved(
            ticket_id=ticket.id,
            resolved_at=moved.at,
            fault_type=report.fault_type.value,
            root_cause=report.root_cause,
            parts_used=[PartUsed(**part) for part in reports.parts_json(report.parts_used)],
            engineer_ids=list(report.engineer_ids),
        )
    )
    await reports.look_for_repeat_failure(uow, stored)


async def close(command: CloseTicket, uow: UnitOfWork) -> dict[str, Any]:
    await _centre_move(
        uow,
        command.ticket_id,
        Move.close,
        by=command.by,
        kind=TicketClosed.type,
        reason=command.reason,
    )
    uow.publish(TicketClosed(ticket_id=command.ticket_id, at=uow.now, reason=command.reason))
    return await _answer(uow, command.ticket_id)


async def reopen(command: ReopenTicket, uow: UnitOfWork) -> dict[str, Any]:
    """IN-4: within seven days of the resolution; later, the fault is a new ticket."""
    await _centre_move(
        uow,
        command.ticket_id,
        Move.reopen,
        by=command.by,
        kind=TicketReopened.type,
        reason=command.reason,
    )
    uow.publish(TicketReopened(ticket_id=command.ticket_id, at=uow.now, reason=command.reason))
    return await _answer(uow, command.ticket_id)


async def cancel(command: CancelTicket, uow: UnitOfWork) -> dict[str, Any]:
    await _centre_move(
        uow,
        command.ticket_id,
        Move.cancel,
        by=command.by,
        kind=TicketCancelled.type,
        reason=command.reason,
    )
    uow.publish(TicketCancelled(ticket_id=command.ticket_id, at=uow.now, reason=command.reason))
    return await _answer(uow, command.ticket_id)


async def reclassify(command: ReclassifyTicket, uow: UnitOfWork) -> dict[str, Any]:
    """Only an open ticket (the table says which); dispatch and escalation recompute from the event."""
    ticket = await _locked(uow, command.ticket_id)
    moved = lifecycle.move(ticket, Move.reclassify, uow.now)
    statuses = await _save(uow, ticket, moved)
    old = await store.reclassify(uow.conn, ticket.id, command.priority.value, uow.now)
    await timeline.record(
        uow,
        Entry(
            ticket.id,
            uow.now,
            TicketReclassified.type,
            command.by,
            {
                **statuses,
                "old_priority": old,
                "new_priority": command.priority.value,
                "reason": command.reason,
            },
        ),
    )
    uow.publish(
        TicketReclassified(
            ticket_id=ticket.id,
            old_priority=old,
            new_priority=command.priority.value,
            reason=command.reason,
            at=uow.now,
        )
    )
    return await _answer(uow, ticket.id)


MOVES: dict[type, Callable[[Any, UnitOfWork], Awaitable[dict[str, Any]]]] = {
    AwaitCustomer: await_customer,
    ResumeTicket: resume,
    ResolveTicket: resolve,
    CloseTicket: close,
    ReopenTicket: reopen,
    CancelTicket: cancel,
    ReclassifyTicket: reclassify,
}


async def move(command: CentreMove, uow: UnitOfWork) -> dict[str, Any]:
    """Any of the centre's moves: what the move routes' one command endpoint runs."""
    return await MOVES[type(command)](command, uow)


# Dispatch's facts. A fact has happened already: one the table has no edge for (late, or
# delivered twice) moves nothing, and is still on the timeline, saying it moved nothing.


async def _fact(
    uow: UnitOfWork,
    envelope: Envelope,
    ticket_id: UUID,
    fact: Move,
    *,
    at: datetime,
    actor: str,
    **detail: Any,
) -> tuple[Ticket, TicketMoved | None] | None:
    """The ticket and the move the fact made (None: none); None when intake holds no such ticket."""
    ticket = await store.lock(uow.conn, ticket_id)
    if ticket is None:
        return None  # not ours (another deployment's ticket on a shared topic): nothing to move
    # The phone's clock may be ahead of ours: a fact never happened later than we heard of it.
    moved = lifecycle.move(ticket, fact, min(at, uow.now))
    # A completion is saved with its report, by the resolution below (`_resolution`).
    completing = fact is Move.completed
    statuses = _statuses(ticket, moved) if completing else await _save(uow, ticket, moved)
    await timeline.record(
        uow,
        Entry(ticket_id, at, envelope.type, actor, {**statuses, **detail}, event_id=envelope.id),
    )
    return ticket, moved


def _statuses(ticket: Ticket, moved: TicketMoved | None) -> dict[str, str]:
    return {"from": ticket.status.value, "to": (moved.to if moved else ticket.status).value}


async def on_assignment_created(
    event: AssignmentCreated, envelope: Envelope, uow: UnitOfWork
) -> None:
    await _fact(
        uow,
        envelope,
        event.ticket_id,
        Move.assigned,
        at=event.assigned_at,
        actor=DISPATCH,
        assignment_id=str(event.assignment_id),
        engineer_id=str(event.engineer_id),
    )


async def on_assignment_unassigned(
    event: AssignmentUnassigned, envelope: Envelope, uow: UnitOfWork
) -> None:
    await _fact(
        uow,
        envelope,
        event.ticket_id,
        Move.unassigned,
        at=event.at,
        actor=DISPATCH,
        reason=event.reason,
    )


async def on_assignment_accepted(
    event: AssignmentAccepted, envelope: Envelope, uow: UnitOfWork
) -> None:
    await _fact(
        uow,
        envelope,
        event.ticket_id,
        Move.accepted,
        at=event.accepted_at,
        actor=str(event.engineer_id),
        assignment_id=str(event.assignment_id),
        engineer_id=str(event.engineer_id),
    )


async def on_assignment_arrived(
    event: AssignmentArrived, envelope: Envelope, uow: UnitOfWork
) -> None:
    await _fact(
        uow,
        envelope,
        event.ticket_id,
        Move.arrived,
        at=event.occurred_at,
        actor=str(event.engineer_id),
        assignment_id=str(event.assignment_id),
        engineer_id=str(event.engineer_id),
        position=None if event.position is None else event.position.model_dump(mode="json"),
    )


async def on_assignment_completed(
    event: AssignmentCompleted, envelope: Envelope, uow: UnitOfWork
) -> None:
    """IN-5: the engineer's report resolves the ticket the way the centre's resolve does."""
    report = Report(
        work_done=event.report.work_done,
        root_cause=event.report.root_cause,
        fault_type=FaultType(event.report.fault_type),
        parts_used=tuple(Part(**p.model_dump()) for p in event.report.parts_used),
        minutes_on_site=event.report.minutes_on_site,
        engineer_ids=(event.engineer_id,),
    )
    seen = await _fact(
        uow,
        envelope,
        event.ticket_id,
        Move.completed,
        at=event.occurred_at,
        actor=str(event.engineer_id),
        assignment_id=str(event.assignment_id),
        engineer_id=str(event.engineer_id),
        # A completion that moved nothing (resolved already) keeps its report here only.
        **reports.summary(report),
    )
    if seen is None:
        return
    ticket, moved = seen
    if moved is not None:
        await _resolution(
            uow,
            ticket,
            moved,
            report,
            source=Source.engineer,
            assignment_id=event.assignment_id,
            by=str(event.engineer_id),
        )


DISPATCH = "dispatch"

EVENTS = {
    AssignmentCreated.type: on_assignment_created,
    AssignmentUnassigned.type: on_assignment_unassigned,
    AssignmentAccepted.type: on_assignment_accepted,
    AssignmentArrived.type: on_assignment_arrived,
    AssignmentCompleted.type: on_assignment_completed,
}
