"""Dispatching: choosing engineers for a ticket, and choosing again when one falls away.

Glue only: load (store), decide (decision, rules, lifecycle), save (store), publish. They run
inside a unit of work and never commit.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from services.dispatch.assignments import lifecycle
from services.dispatch.assignments import store as assignments
from services.dispatch.assignments.decision import Decision, Want, decide
from services.dispatch.assignments.lifecycle import Assignment, AssignmentStatus, Move
from services.dispatch.assignments.rules import engineer_key
from services.dispatch.dispatching import rules, store
from services.dispatch.dispatching.commands import FireTimeouts, Reassign
from shared.db import UnitOfWork
from shared.errors import Conflict, InvalidReference, NotFound
from shared.events.dispatch import (
    AssignmentCancelled,
    AssignmentCreated,
    AssignmentTimedOut,
    AssignmentUnassigned,
)
from shared.events.envelope import Envelope
from shared.events.escalation import EscalationRaised
from shared.events.intake import (
    TicketCancelled,
    TicketClosed,
    TicketCreated,
    TicketReclassified,
)


class TicketNotFound(NotFound):
    title = "No such ticket"

    def __init__(self, ticket_id: UUID) -> None:
        super().__init__(f"dispatch knows no ticket {ticket_id}")


class TicketNotOpen(Conflict):
    title = "Ticket is not open"


async def on_ticket_created(event: TicketCreated, envelope: Envelope, uow: UnitOfWork) -> None:
    """IN-2/DS-1: every recorded ticket is assigned at once, or reported as unassignable."""
    if await store.record_ticket(uow.conn, event, uow.now):
        await dispatch(uow, event.ticket_id, Want.crew, trigger=TicketCreated.type)


async def on_ticket_reclassified(
    event: TicketReclassified, envelope: Envelope, uow: UnitOfWork
) -> None:
    """DS-7: a ticket that becomes a P1 gets the rest of its crew."""
    if await store.lock_ticket(uow.conn, event.ticket_id) is None:
        return
    await store.set_priority(uow.conn, event.ticket_id, event.new_priority)
    await complete_crew(uow, event.ticket_id, trigger=TicketReclassified.type)


async def on_ticket_ended(
    event: TicketCancelled | TicketClosed, envelope: Envelope, uow: UnitOfWork
) -> None:
    """Nobody keeps working on a cancelled or closed ticket: its open assignments are withdrawn."""
    if await store.lock_ticket(uow.conn, event.ticket_id) is None:
        return
    ended = "cancelled" if isinstance(event, TicketCancelled) else "closed"
    await store.set_status(uow.conn, event.ticket_id, ended)
    for row in await store.live_of_ticket(uow.conn, event.ticket_id):
        await cancel(uow, row, reason=event.type)


async def on_escalation_raised(
    event: EscalationRaised, envelope: Envelope, uow: UnitOfWork
) -> None:
    """ES-4: from level 2 the ticket gets an engineer of the expert centre beside its crew."""
    if await store.lock_ticket(uow.conn, event.ticket_id) is None:
        return
    await store.raise_level(uow.conn, event.ticket_id, event.level)
    live = await _live_crew(uow, event.ticket_id)
    if rules.needs_expert(event.level, live):
        await dispatch(uow, event.ticket_id, Want.expert_support, trigger=EscalationRaised.type)


async def complete_crew(uow: UnitOfWork, ticket_id: UUID, *, trigger: str) -> None:
    ticket = await store.lock_ticket(uow.conn, ticket_id)
    if ticket is None or ticket["status"] != "open":
        return
    for want in rules.crew_gaps(ticket["priority"], await _live_crew(uow, ticket_id)):
        await dispatch(uow, ticket_id, want, trigger=trigger)


async def replace(uow: UnitOfWork, ticket_id: UUID, role: str, *, trigger: str) -> None:
    """Offer the role an engineer gave up (declined, timed out) to the next candidate."""
    ticket = await store.lock_ticket(uow.conn, ticket_id)
    if ticket is None or ticket["status"] != "open":
        return
    live = await _live_crew(uow, ticket_id)
    if role == "lead" and not any(a["role"] == "lead" for a in live):
        await dispatch(uow, ticket_id, Want.crew if not live else Want.one, trigger=trigger)
    elif role == "support":
        await complete_crew(uow, ticket_id, trigger=trigger)


async def dispatch(
    uow: UnitOfWork, ticket_id: UUID, want: Want, *, trigger: str
) -> Decision | None:
    """Decide, record the decision with every candidate's verdict, and assign whoever it chose."""
    ticket = await store.job(uow.conn, ticket_id)
    if ticket is None or ticket["status"] != "open":
        return None
    engineers = await store.candidates_alone(uow.conn, ticket["category"])
    job = rules.job_of(ticket, await store.on_ticket(uow.conn, ticket_id), uow.now)
    decision = decide(
        job,
        [rules.engineer_of(e) for e in engineers],
        want=want,
        speed_kmh=uow.settings.dispatch_speed_kmh,
    )
    decision_id = await _record(uow, decision, trigger)
    why = decision.summary()
    for choice in decision.chosen:
        await _assign(uow, ticket, choice.engineer_id, str(choice.role), decision_id, why)
    if decision.chosen:
        await store.mark_unassigned(uow.conn, ticket_id, None)
    elif want in (Want.crew, Want.one):
        # Only a ticket left with no lead is unassigned; a crew short of its support is not.
        await store.mark_unassigned(uow.conn, ticket_id, decision.reason)
        uow.publish(
            AssignmentUnassigned(
                ticket_id=ticket_id,
                reason=decision.reason or "unassignable",
                considered=[v.engineer_id for v in decision.candidates],
                at=uow.now,
            )
        )
    return decision


async def reassign(command: Reassign, uow: UnitOfWork) -> dict[str, Any]:
    """A team lead's choice overrides the ranking; the decision still records every verdict."""
    ticket = await store.lock_ticket(uow.conn, command.ticket_id)
    if ticket is None:
        raise TicketNotFound(command.ticket_id)
    if ticket["status"] != "open":
        raise TicketNotOpen(
            f"ticket {command.ticket_id} is {ticket['status']}", current_status=ticket["status"]
        )
    live = await store.live_of_ticket(uow.conn, command.ticket_id)
    if any(a["engineer_id"] == command.engineer_id for a in live):
        raise Conflict(f"engineer {command.engineer_id} is already on this ticket")
    job_row = await store.job(uow.conn, command.ticket_id)
    engineers = await store.candidates_alone(uow.conn, job_row["category"])  # type: ignore[index]
    if not any(e["id"] == command.engineer_id for e in engineers):
        # The lead's choice stands even for an engineer the rules would not send (another
        # skill, on leave): the decision records their verdict beside the others'.
        target = await store.engineer(uow.conn, command.engineer_id)
        if target is None:
            raise InvalidReference(f"no engineer {command.engineer_id}", field="engineer_id")
        engineers.append(target)
    for row in live:
        if row["role"] == command.role:
            await cancel(uow, row, reason=f"reassigned: {command.reason}")
    job = rules.job_of(job_row, await store.on_ticket(uow.conn, command.ticket_id), uow.now)  # type: ignore[arg-type]
    decision = decide(job, [rules.engineer_of(e) for e in engineers], want=Want.one)
    decision_id = await _record(
        uow, decision, "reassign", chosen=[(command.engineer_id, command.role)], by=command.by
    )
    why = f"reassigned by {command.by}: {command.reason}"
    return await _assign(uow, job_row, command.engineer_id, command.role, decision_id, why)  # type: ignore[arg-type]


async def fire_timeouts(command: FireTimeouts, uow: UnitOfWork) -> int:
    """Each unanswered assignment times out once (SKIP LOCKED: one replica claims it), and the
    next candidate is asked in the same transaction."""
    due = await store.due_for_answer(uow.conn, uow.now, command.batch)
    for row in due:
        moved = lifecycle.move(_assignment(row), Move.time_out, uow.now)
        if moved is None:
            continue
        await assignments.end(uow.conn, row["id"], moved.to, uow.now, "timed_out")
        uow.publish(
            AssignmentTimedOut(
                ticket_id=row["ticket_id"],
                assignment_id=row["id"],
                engineer_id=row["engineer_id"],
                respond_by=row["respond_by"],
                at=uow.now,
            )
        )
        uow.changed(engineer_key(row["engineer_id"]))
        await replace(uow, row["ticket_id"], row["role"], trigger=AssignmentTimedOut.type)
    return len(due)


async def cancel(uow: UnitOfWork, row: dict[str, Any], *, reason: str) -> None:
    moved = lifecycle.move(_assignment(row), Move.cancel, uow.now)
    if moved is None:
        return
    await assignments.end(uow.conn, row["id"], moved.to, uow.now, reason)
    uow.publish(
        AssignmentCancelled(
            ticket_id=row["ticket_id"],
            assignment_id=row["id"],
            engineer_id=row["engineer_id"],
            reason=reason,
            at=uow.now,
        )
    )
    uow.changed(engineer_key(row["engineer_id"]))


async def explain(uow: UnitOfWork, ticket_id: UUID, *, limit: int) -> list[dict[str, Any]]:
    if not await store.ticket_exists(uow.conn, ticket_id):
        raise TicketNotFound(ticket_id)
    return await store.decisions(uow.conn, ticket_id, limit)


async def _live_crew(uow: UnitOfWork, ticket_id: UUID) -> list[dict[str, Any]]:
    return [a for a in await store.on_ticket(uow.conn, ticket_id) if a["status"] in lifecycle.LIVE]


async def _record(
    uow: UnitOfWork,
    decision: Decision,
    trigger: str,
    *,
    chosen: list[tuple[UUID, str]] | None = None,
    by: str | None = None,
) -> UUID:
    decision_id = uuid4()
    picks = (
        chosen if chosen is not None else [(c.engineer_id, str(c.role)) for c in decision.chosen]
    )
    explanation = decision.as_json()
    if by is not None:
        explanation["overridden_by"] = by
    await store.insert_decision(
        uow.conn,
        decision_id,
        decision.job.ticket_id,
        uow.now,
        trigger=trigger,
        want=str(decision.want),
        chosen=[{"engineer_id": str(e), "role": r} for e, r in picks],
        reason=None if picks else decision.reason,
        summary=decision.summary(),
        explanation=explanation,
    )
    return decision_id


async def _assign(
    uow: UnitOfWork,
    ticket: dict[str, Any],
    engineer_id: UUID,
    role: str,
    decision_id: UUID,
    why: str,
) -> dict[str, Any]:
    assignment_id = uuid4()
    respond_by = rules.respond_by(ticket["priority"], uow.now, uow.settings.dispatch_accept_minutes)
    await store.insert_assignment(
        uow.conn,
        assignment_id,
        ticket["id"],
        engineer_id,
        role=role,
        decision_id=decision_id,
        at=uow.now,
        respond_by=respond_by,
        onsite_due=rules.onsite_due(ticket),
    )
    uow.publish(
        AssignmentCreated(
            ticket_id=ticket["id"],
            assignment_id=assignment_id,
            engineer_id=engineer_id,
            assigned_at=uow.now,
            role=role,
            why=why[:500],
            respond_by=respond_by,
        )
    )
    uow.changed(engineer_key(engineer_id))
    return await assignments.get(uow.conn, assignment_id)  # type: ignore[return-value]


def _assignment(row: dict[str, Any]) -> Assignment:
    return Assignment(
        row["id"],
        row["ticket_id"],
        row["engineer_id"],
        AssignmentStatus(row["status"]),
        row["role"],
    )


async def board(uow: UnitOfWork, *, limit: int) -> dict[str, Any]:
    """ES-5: the team lead's view, aged and with each engineer's shift read at this instant."""
    rows = await store.board(uow.conn, limit)
    return rules.board(rows, uow.now)


EVENTS = {
    TicketCreated.type: on_ticket_created,
    TicketReclassified.type: on_ticket_reclassified,
    TicketCancelled.type: on_ticket_ended,
    TicketClosed.type: on_ticket_ended,
    EscalationRaised.type: on_escalation_raised,
}
