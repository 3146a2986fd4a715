"""Tickets: record fault reports, and move them as dispatch reports its facts.

Glue only: load (store), decide (lifecycle, classification), save (store), publish.
They run inside a unit of work and never commit.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from services.intake.contracts.rules import Contract, entitlement
from services.intake.references import ForeignReference, UnknownReference
from services.intake.tickets import entry, lifecycle, store
from services.intake.tickets.classification import UnknownCustomer, classify
from services.intake.tickets.commands import CreateTicket, MoveTicket
from services.intake.tickets.lifecycle import Move, TicketMoved
from shared.db import UnitOfWork
from shared.errors import DomainError
from shared.events.base import Event
from shared.events.dispatch import AssignmentAccepted, AssignmentCreated, AssignmentUnassigned
from shared.events.envelope import Envelope
from shared.events.intake import TicketCreated

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
    for row in inserted:
        if not row["inserted"]:  # folded on conflict: another replica opened it meanwhile
            folded[(row["asset_id"], row["alarm_source"], row["alarm_code"])] = row

    for i, row in entries.items():
        key = keys[i]
        if key is None:
            outcomes[i] = _created(by_id[row["id"]], commands[i])
            continue
        ix = groups[key]
        position = ix.index(i)
        leader = entries[ix[0]]["id"]
        ticket = by_id.get(leader) or folded[_alarm_key(key)]
        seen = entry.occurrence_seen(ticket["occurrences"], len(ix), position)
        answer = {**_public(ticket), "occurrences": seen}
        if position == 0 and leader in by_id:
            outcomes[i] = _created(answer, commands[i])
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


def _created(ticket: dict[str, Any], command: CreateTicket) -> Created:
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


async def move_ticket(command: MoveTicket, uow: UnitOfWork) -> TicketMoved | None:
    """IN-4: the move if the lifecycle allows it; None when a fact changes nothing."""
    ticket = await store.lock(uow.conn, command.ticket_id)
    if ticket is None:
        raise lifecycle.TicketNotFound(f"no ticket {command.ticket_id}")
    moved = lifecycle.move(ticket, command.how, uow.now)
    if moved is not None:
        await store.save_move(uow.conn, moved)
    return moved


async def _record_fact(ticket_id: UUID, fact: Move, uow: UnitOfWork) -> None:
    try:
        await move_ticket(MoveTicket(ticket_id, fact), uow)
    except lifecycle.TicketNotFound:
        return  # not ours (another deployment's ticket on a shared topic): nothing to move


async def on_assignment_created(
    event: AssignmentCreated, envelope: Envelope, uow: UnitOfWork
) -> None:
    await _record_fact(event.ticket_id, Move.assigned, uow)


async def on_assignment_unassigned(
    event: AssignmentUnassigned, envelope: Envelope, uow: UnitOfWork
) -> None:
    await _record_fact(event.ticket_id, Move.unassigned, uow)


async def on_assignment_accepted(
    event: AssignmentAccepted, envelope: Envelope, uow: UnitOfWork
) -> None:
    await _record_fact(event.ticket_id, Move.accepted, uow)


EVENTS = {
    AssignmentCreated.type: on_assignment_created,
    AssignmentUnassigned.type: on_assignment_unassigned,
    AssignmentAccepted.type: on_assignment_accepted,
}
