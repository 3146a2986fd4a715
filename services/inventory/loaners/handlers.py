"""IV-2 glue: the loaner pool, check-outs and check-ins, and the loaner a late repair is owed.
Never commit.

A ticket whose repair clock breaches is owed one loaner (`loaners_due`, once per ticket). The
best available unit goes out at once, checked out by "system" through the same command a
route sends; when none fits the ticket waits, and each unit registered or checked in later
goes to the oldest waiting ticket it fits.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from services.inventory.assets import store as assets
from services.inventory.loaners import lifecycle, store
from services.inventory.loaners.commands import (
    CheckIn,
    CheckOut,
    DeclareModel,
    RegisterLoaner,
    Retire,
)
from services.inventory.loaners.lifecycle import (
    DueBackPassed,
    LoanerNotFound,
    LoanerStatus,
    ModelClash,
    Move,
    NotCheckedOut,
    TicketWithoutCustomer,
    Unit,
    Wanted,
)
from services.inventory.locations import handlers as locations
from services.inventory.sites import store as sites
from services.inventory.tickets import store as tickets
from services.inventory.tickets.handlers import live_ticket
from services.inventory.tickets.rules import is_live
from shared.db import UnitOfWork
from shared.events.envelope import Envelope
from shared.events.escalation import SlaBreached
from shared.events.inventory import LoanerCheckedOut, LoanerReturned

SYSTEM = "system"
# A unit freed is offered to at most this many waiting tickets, oldest first.
WAITING_SCAN = 200


async def register_loaner(command: RegisterLoaner, uow: UnitOfWork) -> dict[str, Any]:
    await locations.known_location(uow, command.location_id)
    known = await store.know_model(uow.conn, command.model, command.manufacturer, command.category)
    if (known["manufacturer"], known["category"]) != (command.manufacturer, command.category):
        raise ModelClash(
            f"model {command.model} is known as a {known['category']} by {known['manufacturer']}",
            model=command.model,
            known_manufacturer=known["manufacturer"],
            known_category=known["category"],
        )
    loaner = await store.insert(
        uow.conn,
        command.serial,
        command.model,
        command.manufacturer,
        command.category,
        command.location_id,
        uow.now,
    )
    served = await _serve_waiting(uow, command.serial)
    return served or _view(loaner, None, uow)


async def declare_model(command: DeclareModel, uow: UnitOfWork) -> dict[str, Any]:
    declared = await store.declare_model(
        uow.conn, command.model, command.manufacturer, command.category
    )
    if declared is None:
        known = await store.model(uow.conn, command.model) or {}
        raise ModelClash(
            f"model {command.model} is known by {known.get('manufacturer')}",
            model=command.model,
            known_manufacturer=known.get("manufacturer"),
        )
    return declared


async def check_out(command: CheckOut, uow: UnitOfWork) -> dict[str, Any]:
    loaner = await store.lock(uow.conn, command.serial)
    if loaner is None:
        raise LoanerNotFound(f"no loaner {command.serial}", serial=command.serial)
    ticket = await live_ticket(uow, command.ticket_id)
    if ticket["customer_id"] is None:
        raise TicketWithoutCustomer(
            f"ticket {command.ticket_id} names no customer to lend to",
            ticket_id=str(command.ticket_id),
        )
    to = lifecycle.move(command.serial, LoanerStatus(loaner["status"]), Move.check_out)
    due_back = command.due_back or uow.now + timedelta(days=uow.settings.loaner_days)
    if due_back <= uow.now:
        raise DueBackPassed(
            "a loaner cannot be due back before it goes out", due_back=due_back.isoformat()
        )
    loan = await store.lend(
        uow.conn,
        uuid.uuid4(),
        command.serial,
        command.ticket_id,
        ticket["customer_id"],
        uow.now,
        command.by,
        due_back,
    )
    loaner = await store.move(uow.conn, command.serial, to, uow.now)
    await store.settle(uow.conn, command.ticket_id, loan["id"])
    uow.publish(
        LoanerCheckedOut(
            ticket_id=command.ticket_id,
            loaner_serial=command.serial,
            model=loaner["model"],
            customer_id=loan["customer_id"],
            at=uow.now,
        )
    )
    return _view(loaner, loan, uow)


async def check_in(command: CheckIn, uow: UnitOfWork) -> dict[str, Any]:
    loaner = await store.lock(uow.conn, command.serial)
    if loaner is None:
        raise LoanerNotFound(f"no loaner {command.serial}", serial=command.serial)
    to = lifecycle.move(command.serial, LoanerStatus(loaner["status"]), Move.check_in)
    loan = await store.give_back(uow.conn, command.serial, uow.now, command.by, command.notes)
    if loan is None:
        # Out by its status, yet no loan is open: no move fits until the two agree again.
        raise NotCheckedOut(
            "a loaner", LoanerStatus.checked_out, Move.check_in, (), serial=command.serial
        )
    loaner = await store.move(uow.conn, command.serial, to, uow.now)
    uow.publish(
        LoanerReturned(
            ticket_id=loan["ticket_id"],
            loaner_serial=command.serial,
            model=loaner["model"],
            customer_id=loan["customer_id"],
            at=uow.now,
        )
    )
    served = await _serve_waiting(uow, command.serial)
    return served or _view(loaner, None, uow)


async def retire(command: Retire, uow: UnitOfWork) -> dict[str, Any]:
    loaner = await store.lock(uow.conn, command.serial)
    if loaner is None:
        raise LoanerNotFound(f"no loaner {command.serial}", serial=command.serial)
    to = lifecycle.move(command.serial, LoanerStatus(loaner["status"]), Move.retire)
    return _view(await store.move(uow.conn, command.serial, to, uow.now), None, uow)


async def on_sla_breached(event: SlaBreached, envelope: Envelope, uow: UnitOfWork) -> None:
    """IV-2: past 5 working days of repair, the customer is owed a loaner, once per ticket."""
    if event.kind != "repair":
        return
    ticket = await tickets.get(uow.conn, event.ticket_id)
    wanted = await _wanted(uow, ticket)
    if not await store.owe(uow.conn, event.ticket_id, event.clock_id, wanted.model, uow.now):
        return
    if ticket is None or not is_live(ticket["status"]):
        return
    if ticket["customer_id"] is None:
        return
    site = None if ticket["site_id"] is None else await sites.position(uow.conn, ticket["site_id"])
    units = await store.candidates(uow.conn, wanted.model, wanted.manufacturer, wanted.category)
    chosen = lifecycle.choose_loaner(units, wanted, site)
    if chosen is not None:
        await check_out(CheckOut(serial=chosen.serial, ticket_id=event.ticket_id, by=SYSTEM), uow)


async def _wanted(uow: UnitOfWork, ticket: dict[str, Any] | None) -> Wanted:
    """The ticket's model: as reported on the ticket, else from its asset; maker and category
    from the models declared to inventory where the ticket does not say."""
    if ticket is None:
        return Wanted(None, None, None)
    name, manufacturer = ticket["asset_model"], ticket["asset_manufacturer"]
    if (name is None or manufacturer is None) and ticket["asset_serial"] is not None:
        asset = await assets.get(uow.conn, ticket["asset_serial"])
        if asset is not None:
            name = name or asset["model"]
            manufacturer = manufacturer or asset["manufacturer"]
    known = None if name is None else await store.model(uow.conn, name)
    if known is not None:
        manufacturer = manufacturer or known["manufacturer"]
    return Wanted(name, manufacturer, None if known is None else known["category"])


async def _serve_waiting(uow: UnitOfWork, serial: str) -> dict[str, Any] | None:
    """A unit just free goes to the oldest waiting ticket it fits; the loan's view, if one."""
    unit: Unit = await store.unit(uow.conn, serial)
    for due in await store.waiting(uow.conn, WAITING_SCAN):
        ticket = await tickets.get(uow.conn, due["ticket_id"])
        if ticket is None or ticket["customer_id"] is None:
            continue
        if not is_live(ticket["status"]):
            continue
        if lifecycle.fits(unit, await _wanted(uow, ticket)) is None:
            continue
        return await check_out(CheckOut(serial=serial, ticket_id=due["ticket_id"], by=SYSTEM), uow)
    return None


def _view(loaner: dict[str, Any], loan: dict[str, Any] | None, uow: UnitOfWork) -> dict[str, Any]:
    current = None
    if loan is not None:
        current = {
            "id": loan["id"],
            "ticket_id": loan["ticket_id"],
            "customer_id": loan["customer_id"],
            "checked_out_at": loan["checked_out_at"],
            "due_back": loan["due_back"],
            "overdue": lifecycle.is_overdue(loan["due_back"], None, uow.now),
        }
    return {**loaner, "loan": current}


async def list_loaners(
    uow: UnitOfWork,
    *,
    after: tuple[datetime, str] | None,
    limit: int,
    ticket_id: UUID | None,
    status: str | None,
    model: str | None,
) -> list[dict[str, Any]]:
    rows = await store.page(
        uow.conn,
        now=uow.now,
        after=after,
        limit=limit,
        ticket_id=ticket_id,
        status=status,
        model_name=model,
    )
    listed = []
    for row in rows:
        loan = None
        if row["loan_id"] is not None:
            loan = {
                "id": row["loan_id"],
                "ticket_id": row["ticket_id"],
                "customer_id": row["customer_id"],
                "checked_out_at": row["checked_out_at"],
                "due_back": row["due_back"],
            }
        loaner = {k: row[k] for k in store.COLUMNS.split(", ")}
        listed.append(_view(loaner, loan, uow))
    return listed


async def loaners_due(
    uow: UnitOfWork, *, status: str | None, ticket_id: UUID | None
) -> list[dict[str, Any]]:
    return await store.dues(uow.conn, status=status, ticket_id=ticket_id)


EVENTS = {SlaBreached.type: on_sla_breached}
