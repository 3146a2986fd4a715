"""SLA clocks: opened for every ticket, moved by what happens to it, announced when they cross a
threshold.

Every fact is appended to the clock's log at its own time; the clock is then replayed on its
calendar (`clock.replay`), what it newly reached is announced, and its row keeps the fold and
what was announced. One function does that for the event handlers, the timer and a calendar
change alike (`settle`), so a threshold is announced once whoever notices it first.

Glue only: load (store), decide (clock, policy), save (store), publish. They run inside a unit
of work and never commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from services.escalation.clocks import store
from services.escalation.clocks.clock import BREACH, ClockState, EntryKind, replay
from services.escalation.clocks.commands import FireClocks
from services.escalation.clocks.policy import ClockKind, Policy
from services.escalation.clocks.store import ClockRow, Resolver, calendars_for
from services.escalation.ladder import handlers as ladder
from services.escalation.ladder.rules import Breached
from services.escalation.tickets import store as tickets
from services.escalation.tickets.store import TicketNotFound
from shared.db import UnitOfWork
from shared.events.escalation import SlaBreached, SlaMet, SlaWarning


def _warnings(uow: UnitOfWork) -> tuple[float, ...]:
    # The deployment's fractions (FIELDOPS_SLA_WARNING_FRACTIONS, default 50 % and 80 %): a
    # contract cannot name its own yet. Changing them affects thresholds not yet announced only.
    return uow.settings.sla_warning_fractions


async def open_clocks(
    uow: UnitOfWork, ticket: Mapping[str, Any], policy: Policy, *, source: str
) -> list[ClockRow]:
    """ES-1, ES-2, DS-4, IV-2: the policy's clocks, started when the ticket was reported (IN-1:
    a ticket recorded offline and posted later counts from then)."""
    calendars = await calendars_for(uow)
    has_asset = ticket["asset_serial"] is not None
    opened = []
    for target in policy.clocks_for(ticket["priority"], has_asset, calendars):
        clock = await store.open_clock(
            uow.conn,
            uuid.uuid4(),
            ticket["id"],
            target.kind.value,
            target.calendar,
            target.minutes,
            ticket["reported_at"],
            uow.now,
        )
        if clock is None:
            continue
        await store.append(
            uow.conn,
            clock.id,
            EntryKind.start,
            ticket["reported_at"],
            uow.now,
            source=source,
            target_minutes=target.minutes,
            calendar_name=target.calendar,
        )
        opened.append(clock)
    await settle(uow, opened, calendars)
    return opened


async def record(
    uow: UnitOfWork,
    ticket_id: uuid.UUID,
    kinds: Collection[ClockKind],
    what: EntryKind,
    at: datetime,
    *,
    source: str,
    reason: str = "",
) -> None:
    """One fact for the ticket's clocks of `kinds`, placed at its own time in each log.

    Appended even where the fold will ignore it (a stop of a stopped clock): the log keeps what
    was said, and a late fact may yet be the earlier one.
    """
    clocks = [c for c in await store.lock_of_ticket(uow.conn, ticket_id) if c.kind in kinds]
    for clock in clocks:
        await store.append(uow.conn, clock.id, what, at, uow.now, reason=reason, source=source)
    await settle(uow, clocks)


async def retarget(
    uow: UnitOfWork, ticket: Mapping[str, Any], policy: Policy, at: datetime, *, source: str
) -> int:
    """A new priority or policy: each running or paused clock whose target or calendar changes
    is replayed on the new ones over its whole history (paused time is never lost). Stopped
    clocks keep the outcome they were announced with. Returns how many changed."""
    calendars = await calendars_for(uow)
    wanted = {
        t.kind.value: t
        for t in policy.clocks_for(
            ticket["priority"], ticket["asset_serial"] is not None, calendars
        )
    }
    changed = []
    for clock in await store.lock_of_ticket(uow.conn, ticket["id"]):
        target = wanted.get(clock.kind)
        if clock.status == "stopped" or target is None:
            continue
        if (target.minutes, target.calendar) == (clock.target_minutes, clock.calendar):
            continue
        await store.append(
            uow.conn,
            clock.id,
            EntryKind.retarget,
            at,
            uow.now,
            source=source,
            target_minutes=target.minutes,
            calendar_name=target.calendar,
        )
        changed.append(clock)
    await settle(uow, changed, calendars)
    return len(changed)


async def recompute_calendar(uow: UnitOfWork, name: str) -> int:
    """ES-7: a calendar was defined or changed; every clock still counting on it is replayed on
    what it now says. Returns how many."""
    clocks = await store.lock_on_calendar(uow.conn, name)
    await settle(uow, clocks)
    return len(clocks)


async def fire_clocks(command: FireClocks, uow: UnitOfWork) -> int:
    """The SLA timer: clocks whose next threshold is due, each claimed by one replica only."""
    clocks = await store.claim_due(uow.conn, uow.now, command.limit)
    await settle(uow, clocks)
    return len(clocks)


async def settle(
    uow: UnitOfWork, clocks: Sequence[ClockRow], calendars: Resolver | None = None
) -> None:
    """Replay each clock at now, announce what it newly reached, keep the fold.

    Each threshold once (`sent` is saved with the events, in the outbox's transaction), and of
    those passed only the highest: a clock reclassified into breach announces the breach alone.
    `sla.met` goes out once, when a clock stops in time and no breach was announced before: an
    announcement is never taken back. A breach feeds the ticket's ladder in the same transaction.
    """
    if not clocks:
        return  # the timer's idle tick and a fact for no open clock read no calendars
    calendars = calendars or await calendars_for(uow)
    logs = await store.entries(uow.conn, [c.id for c in clocks])
    breaches: list[tuple[ClockRow, datetime]] = []
    for clock in clocks:
        state = replay(logs[clock.id], calendars, uow.now, _warnings(uow), sent=clock.sent)
        sent = set(clock.sent)
        met_at, met_sent, breached_at = clock.met_at, clock.met_sent, clock.breached_at
        for threshold in state.reached(uow.now):
            sent.add(threshold.fraction)
            if threshold.fraction >= BREACH:
                breached_at = threshold.at
                breaches.append((clock, threshold.at))
                uow.publish(
                    SlaBreached(
                        ticket_id=clock.ticket_id,
                        clock_id=clock.id,
                        kind=clock.kind,
                        due_at=threshold.at,
                    )
                )
            else:
                uow.publish(
                    SlaWarning(
                        ticket_id=clock.ticket_id,
                        clock_id=clock.id,
                        kind=clock.kind,
                        fraction=threshold.fraction,
                        due_at=state.due_at,
                        at=threshold.at,
                    )
                )
        if state.met_at is not None and not met_sent and BREACH not in sent:
            met_at, met_sent = state.met_at, True
            uow.publish(
                SlaMet(
                    ticket_id=clock.ticket_id,
                    clock_id=clock.id,
                    kind=clock.kind,
                    due_at=state.due_at,
                    met_at=state.met_at,
                    business_minutes=round(state.used_minutes, 2),
                )
            )
        await store.save(
            uow.conn,
            clock,
            state,
            uow.now,
            sent=sent,
            met_at=met_at,
            met_sent=met_sent,
            breached_at=breached_at,
            next_fire_at=next((t.at for t in state.pending if t.at > uow.now), None),
        )
    # Ladders in ticket order: two replicas' timers never wait on each other's in a cycle.
    for clock, at in sorted(breaches, key=lambda b: (str(b[0].ticket_id), b[1])):
        ticket = await tickets.get(uow.conn, clock.ticket_id)
        if ticket is not None:
            await ladder.feed(uow, ticket, Breached(clock_id=clock.id, at=at))


async def ticket_sla(uow: UnitOfWork, ticket_id: uuid.UUID) -> dict[str, Any]:
    """A ticket's clocks as of now, and its ladder."""
    ticket = await tickets.get(uow.conn, ticket_id)
    if ticket is None:
        raise TicketNotFound(ticket_id)
    clocks = await store.of_ticket(uow.conn, ticket_id)
    logs = await store.entries(uow.conn, [c.id for c in clocks])
    calendars = await calendars_for(uow)
    views = [
        _view(clock, replay(logs[clock.id], calendars, uow.now, _warnings(uow), sent=clock.sent))
        for clock in clocks
    ]
    return {
        "ticket_id": ticket["id"],
        "number": ticket["number"],
        "priority": ticket["priority"],
        "status": ticket["status"],
        "clocks": sorted(views, key=lambda v: list(ClockKind).index(ClockKind(v["kind"]))),
        "ladder": await ladder.of_ticket(uow, ticket),
    }


def _view(clock: ClockRow, state: ClockState) -> dict[str, Any]:
    return {
        "id": clock.id,
        "kind": clock.kind,
        "calendar": state.calendar,
        "target_minutes": state.target_minutes,
        "started_at": state.started_at,
        "due_at": state.due_at,
        "status": state.status.value,
        "holds": sorted(state.holds),
        "used_minutes": round(state.used_minutes, 2),
        "paused_minutes": round(state.paused_minutes, 2),
        "remaining_minutes": round(state.remaining_minutes, 2),
        "stopped_at": state.stopped_at,
        "met_at": state.met_at,
        # Announced breaches stand even if a late fact would now say otherwise.
        "breached": state.breached or clock.breached_at is not None,
        "breached_at": clock.breached_at,
        "warnings_sent": sorted(f for f in clock.sent if f < BREACH),
        "next_threshold_at": state.next_fire_at,
    }


async def breaches(
    uow: UnitOfWork, *, since: datetime, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[dict[str, Any]]:
    return await store.breaches(uow.conn, since=since, after=after, limit=limit)
