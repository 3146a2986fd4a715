"""The escalation ladder: fed by the ticket's facts and its clocks' breaches, climbed by its
timer, held by an acknowledgement.

Glue only: load (store), decide (rules), save (store), publish. They run inside a unit of work
and never commit. A ladder is locked after the ticket's clocks, never before, so that a clock's
breach and a ticket's fact can feed the same ladder in either order without a deadlock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from services.escalation.clocks.store import calendars_for
from services.escalation.contracts import store as contracts
from services.escalation.ladder import rules, store
from services.escalation.ladder.commands import Acknowledge, FireLadders
from services.escalation.ladder.rules import Fact, Ladder, Terms
from services.escalation.tickets import store as tickets
from services.escalation.tickets.store import TicketNotFound
from shared.db import UnitOfWork
from shared.events.escalation import LadderEvent


async def terms(uow: UnitOfWork, ticket: Mapping[str, Any]) -> Terms:
    """ES-3: the ticket's step limits on its policy's calendar, and its contract's contacts."""
    policy, contacts = await contracts.terms_of(uow.conn, ticket)
    calendars = await calendars_for(uow)
    limits = policy.step_limits_for(ticket["priority"], calendars)
    return rules.terms_for(
        calendars(limits[0].calendar),
        {rules.Step(limit.step.value): timedelta(minutes=limit.minutes) for limit in limits},
        contacts,
    )


async def start(uow: UnitOfWork, ticket: Mapping[str, Any]) -> None:
    """Level 0: with the engineers; the first step starts when one is assigned."""
    await store.start(uow.conn, ticket["id"], uow.now)


async def feed(uow: UnitOfWork, ticket: Mapping[str, Any], fact: Fact) -> list[LadderEvent]:
    """Apply one fact, at its own time, and publish the climbs and holds it causes."""
    ladder = await store.lock(uow.conn, ticket["id"])
    if ladder is None:
        return []
    after, events = rules.apply(ladder, fact, await terms(uow, ticket))
    await store.save(uow.conn, ladder, after, uow.now)
    uow.publish(*events)
    return events


async def acknowledge(command: Acknowledge, uow: UnitOfWork) -> dict[str, Any]:
    """ES-5: the level's contact holds the ladder for one step limit, once per level."""
    ticket = await tickets.get(uow.conn, command.ticket_id)
    ladder = None if ticket is None else await store.lock(uow.conn, command.ticket_id)
    if ticket is None or ladder is None:
        raise TicketNotFound(command.ticket_id)
    fact = rules.Acknowledged(
        by=command.by, at=uow.now, level=command.level, is_admin=command.is_admin
    )
    ticket_terms = await terms(uow, ticket)
    after, events = rules.apply(ladder, fact, ticket_terms)
    await store.save(uow.conn, ladder, after, uow.now)
    uow.publish(*events)
    return view(after, ticket_terms)


async def fire_ladders(command: FireLadders, uow: UnitOfWork) -> int:
    """ES-3: every ladder whose limit ran out climbs, each exactly once across replicas, at the
    instant its limit ran out (a timer late by a minute raises at the same business time)."""
    ladders = await store.claim_due(uow.conn, uow.now, command.limit)
    for ladder in ladders:
        ticket = await tickets.get(uow.conn, ladder.ticket_id)
        if ticket is None:
            continue
        after, events = rules.apply(ladder, rules.Tick(uow.now), await terms(uow, ticket))
        await store.save(uow.conn, ladder, after, uow.now)
        uow.publish(*events)
    return len(ladders)


async def of_ticket(uow: UnitOfWork, ticket: Mapping[str, Any]) -> dict[str, Any] | None:
    ladder = await store.get(uow.conn, ticket["id"])
    return None if ladder is None else view(ladder, await terms(uow, ticket))


def view(ladder: Ladder, ticket_terms: Terms) -> dict[str, Any]:
    """The ladder as the team lead reads it: who must act, until when, and how it got here."""
    return {
        "level": ladder.level,
        "role": rules.ROLES.get(ladder.level),
        "contact": ticket_terms.who_acts(ladder.level) if ladder.level >= 1 else None,
        "step": ladder.step,
        "step_started_at": ladder.step_started_at,
        "step_due_at": ladder.step_due_at,
        "held_until": ladder.held_until,
        "next_raise_at": ladder.deadline,
        "acknowledged_levels": sorted(ladder.acked_levels),
        "at_rest": ladder.at_rest,
        "stopped_at": ladder.stopped_at,
        "history": [
            {
                "kind": e.kind,
                "at": e.at,
                "level": e.level,
                "step": e.step,
                "reason": e.reason,
                "by": e.by,
                "until": e.until,
                "clock_id": e.clock_id,
            }
            for e in ladder.history
        ],
    }
