"""Reports (RP-1, RP-2) and the read models they need, kept from other services' events.

Glue only; never commits. An SLA outcome is recorded here and put on the ticket's timeline
in the same handler (a type claimed by two slices fails at start-up); `record_assignment` is
called by tickets' handler of `assignment.created` for the same reason.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.intake.customers import store as customers
from services.intake.customers.store import CustomerNotFound
from services.intake.reporting import rules, store
from services.intake.reporting.rules import Outcome, Period
from services.intake.timeline import handlers as timeline
from shared.db import UnitOfWork
from shared.events.dispatch import AssignmentCreated
from shared.events.envelope import Envelope
from shared.events.escalation import SlaBreached, SlaMet


async def on_sla_met(event: SlaMet, envelope: Envelope, uow: UnitOfWork) -> None:
    await timeline.on_sla_met(event, envelope, uow)
    outcome = rules.met_outcome(event.due_at, event.met_at)
    await store.record_outcome(
        uow.conn,
        clock_id=event.clock_id,
        ticket_id=event.ticket_id,
        kind=event.kind,
        outcome=outcome.value,
        due_at=event.due_at,
        met_at=event.met_at,
        decided_at=event.met_at if outcome is Outcome.met else event.due_at,
    )


async def on_sla_breached(event: SlaBreached, envelope: Envelope, uow: UnitOfWork) -> None:
    await timeline.on_sla_breached(event, envelope, uow)
    await store.record_outcome(
        uow.conn,
        clock_id=event.clock_id,
        ticket_id=event.ticket_id,
        kind=event.kind,
        outcome=Outcome.breached.value,
        due_at=event.due_at,
        met_at=None,
        decided_at=event.due_at,
    )


async def record_assignment(event: AssignmentCreated, uow: UnitOfWork) -> None:
    """Who was sent to a ticket: ratings name them, and the engineer review counts their work."""
    await store.record_engineer(
        uow.conn, event.ticket_id, event.engineer_id, event.assignment_id, event.assigned_at
    )


async def monthly(uow: UnitOfWork, period: Period, customer_id: UUID | None) -> dict[str, Any]:
    """RP-2: one customer's month (or every customer's)."""
    if customer_id is not None and not await customers.exists(uow.conn, customer_id):
        raise CustomerNotFound(f"no customer {customer_id}")
    args = (period.start, period.end, customer_id)
    rating_total, rating_count = await store.ratings(uow.conn, *args)
    sla = rules.sla_by_kind(await store.sla_outcomes(uow.conn, *args))
    return {
        "month": period.month,
        "timezone": str(rules.REPORT_ZONE),
        "from": period.start,
        "to": period.end,
        "customer_id": customer_id,
        "tickets_by_priority": rules.tickets_by_priority(
            await store.tickets_by(uow.conn, "priority", *args)
        ),
        "tickets_by_channel": rules.tickets_by_channel(
            await store.tickets_by(uow.conn, "channel", *args)
        ),
        "sla": {
            kind: {"met": line.met, "breached": line.breached, "met_share": line.met_share}
            for kind, line in sla.items()
        },
        "mean_rating": rules.mean(rating_total, rating_count),
        "ratings": rating_count,
        "repeat_failures": await store.repeat_failures(uow.conn, *args),
    }


async def engineers(uow: UnitOfWork, period: Period) -> dict[str, Any]:
    """RP-1: each engineer's month."""
    work, completed = await store.engineer_work(uow.conn, period.start, period.end)
    return {
        "month": period.month,
        "timezone": str(rules.REPORT_ZONE),
        "from": period.start,
        "to": period.end,
        "tickets_completed": completed,
        "engineers": [_line(line) for line in rules.engineer_lines(work, completed)],
    }


def _line(line: rules.EngineerLine) -> dict[str, Any]:
    return {name: getattr(line, name) for name in line.__dataclass_fields__}


EVENTS = {SlaMet.type: on_sla_met, SlaBreached.type: on_sla_breached}
