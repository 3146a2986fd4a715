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
from zoneinfo import ZoneInfo

from services.intake.contracts.rules import Contract, entitlement
from services.intake.references import ForeignReference, UnknownReference
from services.intake.reporting import handlers as reporting
from services.intake.reports import handlers as reports
from services.intake.reports import rules as report_rules
from services.intake.reports.rules import FaultType, Part, Report, Source
from services.intake.tickets import entry, lifecycle, store
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
    AssignmentCancelled,
    AssignmentCompleted,
    AssignmentCreated,
    AssignmentDeclined,
    AssignmentDeparted,
    AssignmentTimedOut,
    AssignmentUnassigned,
)
from shared.events.envelope import Envelope
from shared.events.intake import (
    PartUsed,
    TicketAwaitingCustomer,
    TicketCancelled,
    TicketClosed,
    TicketContact,
    TicketCreated,
    TicketReclassified,
    TicketReopened,
    TicketResolved,
    TicketResumed,
)

# What a create answers with: the new row and the events it causes, or the refusal. A
# monitoring alarm folded into its open ticket answers with that ticket's row alone.
Created = tuple[dict[str, Any], list[Event]]
Entered = Created | dict[str, Any] | DomainError


async def create_tickets(uow: UnitOfWork, commands: list[CreateTicket]) -> list[Entered]:
    """IN-1/IN-2/IN-3/IN-10: record a batch of fault reports from any channel, each classified,
    tied to its asset, site and contract, and handed on; alarms fold into their open tickets.

    A constant number of statements per batch, however many reports it holds: one lookup
    for all serials, one for all customers, one fold and one insert for all alarms. The
    ticket and its `ticket.created` commit together, so dispatch and escalation always hear
    of it; a fold changes a count on a ticket they already know, and publishes nothing.
    """
    conn, now = uow.conn, uow.now
    outcomes: list[Entered | None] = [None] * len(commands)
    reported: list[datetime] = [now] * len(commands)
    for i, command in enumerate(commands):
        try:
            entry.check_shape(
                customer_id=command.customer_id,
                serial=command.serial,
                manufacturer=command.manufacturer,
                channel=command.channel.value,
                alarm=command.alarm,
            )
            reported[i] = entry.reported_at(command.reported_at, now)
        except DomainError as refused:
            outcomes[i] = refused
    live = [i for i, outcome in enumerate(outcomes) if outcome is None]
    by_serial = [i for i in live if commands[i].serial is not None]
    found = await store.find_by_serials(
        conn, [(commands[i].serial or "", commands[i].manufacturer) for i in by_serial]
    )
    placements = dict(zip(by_serial, found, strict=True))
    customers = await store.customers_on_file(
        conn, (c.customer_id for i in live if (c := commands[i]).serial is None and c.customer_id)
    )
    sites = await store.sites_on_file(conn, (c.site_id for i in live if (c := commands[i]).site_id))
    contacts = await store.contacts_on_file(
        conn, (c.contact_id for i in live if (c := commands[i]).contact_id)
    )
    entries: dict[int, dict[str, Any]] = {}
    for i in live:
        try:
            entries[i] = _entry(
                commands[i], reported[i], placements.get(i), customers, sites, contacts
            )
        except DomainError as refused:
            outcomes[i] = refused

    keys = [
        entry.AlarmKey(entries[i]["asset_id"], alarm.source, alarm.code)
        if i in entries and (alarm := commands[i].alarm) is not None
        else None
        for i in range(len(commands))
    ]
    groups = entry.group_alarms(keys)
    if groups:
        await store.lock_alarms(conn, (key.lock_id() for key in groups))

    async def write() -> tuple[dict[tuple[UUID, str, str], dict[str, Any]], list[dict[str, Any]]]:
        folded = await store.fold_alarms(
            conn,
            [
                (key.asset_id, key.source, key.code, len(ix), max(reported[i] for i in ix))
                for key, ix in groups.items()
            ],
            now,
        )
        to_insert = []
        for i, row in entries.items():
            key = keys[i]
            if key is None:
                to_insert.append(row)
            elif groups[key][0] == i and _alarm_key(key) not in folded:
                ix = groups[key]
                to_insert.append(
                    {
                        **row,
                        "occurrences": len(ix),
                        "last_occurred_at": max(reported[j] for j in ix),
                    }
                )
        return folded, await store.insert_entries(conn, to_insert, now)

    # Folds lock open tickets that dispatch's facts also move: write them so that a deadlock
    # with such a consumer is tried again rather than failing the whole group commit.
    folded, inserted = await (store.retrying_deadlocks(conn, write) if groups else write())
    by_id = {row["id"]: row for row in inserted if row["inserted"]}
    await timeline_store.record_created(conn, by_id, now)
    to_call = await store.contacts_to_call(
        conn, [(row["id"], row["contact_id"], row["customer_id"]) for row in by_id.values()]
    )
    for row in inserted:
        if not row["inserted"]:  # folded on conflict: another replica opened it meanwhile
            folded[(row["asset_id"], row["alarm_source"], row["alarm_code"])] = row

    for i, row in entries.items():
        key = keys[i]
        if key is None:
            outcomes[i] = _created(by_id[row["id"]], to_call.get(row["id"]))
            continue
        ix = groups[key]
        position = ix.index(i)
        leader = entries[ix[0]]["id"]
        ticket = by_id.get(leader) or folded[_alarm_key(key)]
        seen = entry.occurrence_seen(ticket["occurrences"], len(ix), position)
        answer = {**_public(ticket), "occurrences": seen}
        if position == 0 and leader in by_id:
            outcomes[i] = _created(answer, to_call.get(leader))
        else:
            outcomes[i] = {**answer, "folded": True}
    return [outcome for outcome in outcomes if outcome is not None]


def _alarm_key(key: entry.AlarmKey) -> tuple[UUID, str, str]:
    return (key.asset_id, key.source, key.code)


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "inserted"}


def _entry(
    command: CreateTicket,
    at: datetime,
    placement: store.Placement | DomainError | None,
    customers: dict[UUID, store.CustomerOnFile],
    sites: dict[UUID, store.SiteOnFile],
    contacts: dict[UUID, UUID],
) -> dict[str, Any]:
    """The row a report becomes, or the refusal naming the field to fix."""
    site = None
    if command.site_id is not None:
        site = sites.get(command.site_id)
        if site is None:
            raise UnknownReference(f"site {command.site_id} does not exist", field="site_id")
    asset = None
    if isinstance(placement, DomainError):
        raise placement
    if placement is not None:
        asset = placement.asset
        entry.check_owner(command.customer_id, asset.customer_id, asset.serial)
        customer_id = asset.customer_id
        zone = site.timezone if site else placement.site_timezone
        region = command.region or (site.region if site else None) or placement.region
        contract: Contract | None = placement.contract
        warranty = asset.warranty
    else:
        customer_id = command.customer_id  # type: ignore[assignment]  # check_shape: one is given
        customer = customers.get(customer_id)
        if customer is None:
            raise UnknownCustomer(
                f"customer {customer_id} does not exist",
                field="customer_id",
                customer_id=customer_id,
            )
        zone = site.timezone if site else "UTC"
        region = command.region or (site.region if site else None) or customer.region
        contract = entry.contract_of_customer(customer.contracts, at, ZoneInfo(zone))
        warranty = None
    if site is not None and site.customer_id != customer_id:
        raise ForeignReference(
            f"site {command.site_id} belongs to another customer", field="site_id"
        )
    if command.contact_id is not None:
        owner = contacts.get(command.contact_id)
        if owner is None:
            raise UnknownReference(
                f"contact {command.contact_id} does not exist", field="contact_id"
            )
        if owner != customer_id:
            raise ForeignReference(
                f"contact {command.contact_id} belongs to another customer", field="contact_id"
            )
    granted = (
        None
        if contract is None
        else entitlement(contract, at, warranty=warranty, zone=ZoneInfo(zone))
    )
    return {
        "id": uuid.uuid4(),
        "customer_id": customer_id,
        "summary": command.summary,
        "description": command.description,
        "channel": command.channel.value,
        "category": command.category.value,
        "impact": command.impact.value,
        "priority": classify(command.impact).value,
        "region": region,
        "created_by": command.created_by,
        "reported_at": at,
        "contact_id": command.contact_id,
        "site_id": command.site_id or (asset.site_id if asset else None),
        "asset_id": asset.id if asset else None,
        "asset_serial": asset.serial if asset else None,
        "asset_manufacturer": asset.manufacturer if asset else None,
        "asset_model": asset.model if asset else None,
        "contract_id": granted.contract_id if granted else None,
        "coverage": granted.coverage.value if granted else None,
        "calendar": granted.calendar.value if granted else None,
        "in_warranty": granted.in_warranty if granted else None,
        # IN-10: no contract to say otherwise, the service is at cost until one is tied to it.
        "chargeable": granted.chargeable if granted else True,
        "alarm_source": command.alarm.source if command.alarm else None,
        "alarm_code": command.alarm.code if command.alarm else None,
        "occurrences": 1,
        "last_occurred_at": at,
    }


def _created(ticket: dict[str, Any], contact: tuple[str, str] | None) -> Created:
    ticket = _public(ticket)
    return (
        ticket,
        [
            TicketCreated(
                ticket_id=ticket["id"],
                number=ticket["number"],
                customer_id=ticket["customer_id"],
                site_id=ticket["site_id"],
                contract_id=ticket["contract_id"],
                asset_serial=ticket["asset_serial"],
                asset_manufacturer=ticket["asset_manufacturer"],
                asset_model=ticket["asset_model"],
                priority=ticket["priority"],
                category=ticket["category"],
                channel=ticket["channel"],
                impact=ticket["impact"],
                summary=ticket["summary"],
                region=ticket["region"],
                reported_at=ticket["reported_at"],
                in_warranty=ticket["in_warranty"],
                chargeable=ticket["chargeable"],
                coverage=ticket["coverage"],
                calendar=ticket["calendar"],
                contact=None
                if contact is None
                else TicketContact(name=contact[0], phone=contact[1]),
                created_at=ticket["created_at"],
            )
        ],
    )


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
            parts_used=[PartUsed(**part) for part in report_rules.parts_json(report.parts_used)],
            engineer_ids=list(report.engineer_ids),
        )
    )
    await reports.look_for_repeat_failure(uow, stored)


# Moves whose whole effect is the status and an event carrying the reason: one path for all.
# IN-4: a reopen only within seven days of the resolution (the rule raises; later, the fault
# is a new ticket).
_PLAIN_MOVES: dict[type, tuple[Move, type[TicketClosed | TicketReopened | TicketCancelled]]] = {
    CloseTicket: (Move.close, TicketClosed),
    ReopenTicket: (Move.reopen, TicketReopened),
    CancelTicket: (Move.cancel, TicketCancelled),
}


async def _plain_move(
    command: CloseTicket | ReopenTicket | CancelTicket, uow: UnitOfWork
) -> dict[str, Any]:
    how, event = _PLAIN_MOVES[type(command)]
    await _centre_move(
        uow, command.ticket_id, how, by=command.by, kind=event.type, reason=command.reason
    )
    uow.publish(event(ticket_id=command.ticket_id, at=uow.now, reason=command.reason))
    return await _answer(uow, command.ticket_id)


close = reopen = cancel = _plain_move


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
# Some facts are for the timeline only (`fact` None): an engineer setting off, or one who
# fell away and whose place dispatch offers to the next (its `assignment.created` or
# `.unassigned` follows).


async def _fact(
    uow: UnitOfWork,
    envelope: Envelope,
    ticket_id: UUID,
    fact: Move | None,
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
    moved = None if fact is None else lifecycle.move(ticket, fact, min(at, uow.now))
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
    # Ratings name the engineers sent, and the engineer review counts their work (RP-1).
    await reporting.record_assignment(event, uow)


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


# DS-3: each step an engineer or dispatch reports, at its own time: the move it makes on the
# ticket (None: the timeline only), and the field that holds that time.
_STEPS: dict[str, tuple[Move | None, str]] = {
    AssignmentAccepted.type: (Move.accepted, "accepted_at"),
    AssignmentArrived.type: (Move.arrived, "occurred_at"),
    AssignmentDeparted.type: (None, "occurred_at"),
    AssignmentDeclined.type: (None, "occurred_at"),
    AssignmentTimedOut.type: (None, "at"),
    AssignmentCancelled.type: (None, "at"),
}
_BY_DISPATCH = frozenset({AssignmentTimedOut.type, AssignmentCancelled.type})
_STEP_DETAIL = {"assignment_id", "engineer_id", "position", "reason", "respond_by"}


async def on_assignment_step(
    event: AssignmentAccepted
    | AssignmentArrived
    | AssignmentDeparted
    | AssignmentDeclined
    | AssignmentTimedOut
    | AssignmentCancelled,
    envelope: Envelope,
    uow: UnitOfWork,
) -> None:
    fact, when = _STEPS[event.type]
    await _fact(
        uow,
        envelope,
        event.ticket_id,
        fact,
        at=getattr(event, when),
        actor=DISPATCH if event.type in _BY_DISPATCH else str(event.engineer_id),
        **event.model_dump(mode="json", include=_STEP_DETAIL, exclude_none=True),
    )


async def on_assignment_completed(
    event: AssignmentCompleted, envelope: Envelope, uow: UnitOfWork
) -> None:
    """IN-5: the engineer's report resolves the ticket the way the centre's resolve does.

    DS-7: in a crew, only the lead's completion resolves; the support's report is kept on the
    timeline, and the ticket waits for the lead.
    """
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
        Move.completed if event.role == "lead" else None,
        at=event.occurred_at,
        actor=str(event.engineer_id),
        assignment_id=str(event.assignment_id),
        engineer_id=str(event.engineer_id),
        role=event.role,
        # A completion that moved nothing (resolved already, or the support's) keeps its report
        # here only.
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
    AssignmentAccepted.type: on_assignment_step,
    AssignmentDeparted.type: on_assignment_step,
    AssignmentArrived.type: on_assignment_step,
    AssignmentCompleted.type: on_assignment_completed,
    AssignmentDeclined.type: on_assignment_step,
    AssignmentTimedOut.type: on_assignment_step,
    AssignmentCancelled.type: on_assignment_step,
}
