"""Loaners (IV-2), replacements (IV-3) and end of life (IV-5) on real PostgreSQL: a late repair
gets one loaner however often its breach arrives, a waiting ticket is served by the next unit
free, a refused command changes nothing, and a repeat failure orders one new unit."""

import uuid
from datetime import date, timedelta
from typing import Any

import asyncpg
import pytest

from services.inventory.eol.commands import AnnounceEol
from services.inventory.eol.handlers import announce
from services.inventory.eol.rules import EolInPast, EolPartNotFound, OtherManufacturer
from services.inventory.loaners import handlers
from services.inventory.loaners.commands import (
    CheckIn,
    CheckOut,
    DeclareModel,
    RegisterLoaner,
    Retire,
)
from services.inventory.loaners.lifecycle import (
    AlreadyCheckedOut,
    IllegalMove,
    LoanerExists,
    ModelClash,
    NotCheckedOut,
)
from services.inventory.locations.rules import UnknownLocation
from services.inventory.replacements.commands import DeliverReplacement
from services.inventory.replacements.handlers import (
    deliver,
    list_replacements,
    on_repeat_failure,
)
from services.inventory.replacements.rules import IllegalMove as ReplacementIllegalMove
from services.inventory.replacements.rules import ReplacementNotFound
from services.inventory.tickets.rules import TicketEnded, TicketNotKnown
from shared.db import UnitOfWork
from shared.events.base import Event
from shared.events.envelope import Envelope
from shared.events.escalation import SlaBreached
from shared.events.intake import AssetRepeatFailure
from shared.events.inventory import (
    LoanerCheckedOut,
    LoanerReturned,
    PartEolAnnounced,
    ReplacementOrdered,
)
from shared.outbox_rows import envelope_for


def tag(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def published(uow: UnitOfWork, kind: type[Event]) -> list[Any]:
    return [e for e, _ in uow.events if isinstance(e, kind)]


async def a_location(uow: UnitOfWork, latitude: float = 31.23, longitude: float = 121.47):
    location_id = uuid.uuid4()
    await uow.conn.execute(
        "INSERT INTO inventory.locations (id, name, kind, latitude, longitude, created_at) "
        "VALUES ($1, $2, 'regional', $3, $4, $5)",
        location_id,
        tag("loc"),
        latitude,
        longitude,
        uow.now,
    )
    return location_id


async def a_ticket(uow: UnitOfWork, model: str | None, manufacturer: str | None = "huawei"):
    ticket_id = uuid.uuid4()
    await uow.conn.execute(
        "INSERT INTO inventory.tickets (id, number, priority, received_at, customer_id, "
        "asset_serial, asset_manufacturer, asset_model) "
        "VALUES ($1, $2, 'P3', $3, $4, $5, $6, $7)",
        ticket_id,
        tag("T"),
        uow.now,
        uuid.uuid4(),
        tag("SN"),
        manufacturer,
        model,
    )
    return ticket_id


async def a_loaner(uow: UnitOfWork, model: str, location_id, category: str = "switch") -> str:
    serial = tag("LN")
    await handlers.register_loaner(
        RegisterLoaner(serial, model, "huawei", category, location_id, by="admin"), uow
    )
    return serial


def breach(ticket_id, kind: str = "repair") -> tuple[SlaBreached, Envelope]:
    event = SlaBreached(
        ticket_id=ticket_id, clock_id=uuid.uuid4(), kind=kind, due_at="2026-11-20T10:00:00Z"
    )
    return event, envelope_for(event, "/fieldops/escalation")


async def loans_of(uow: UnitOfWork, ticket_id) -> list[asyncpg.Record]:
    return await uow.conn.fetch("SELECT * FROM inventory.loans WHERE ticket_id = $1", ticket_id)


async def test_a_repair_breach_sends_one_loaner_of_the_same_model_even_delivered_twice(uow):
    model = tag("S5735")
    location = await a_location(uow)
    serial = await a_loaner(uow, model, location)
    ticket = await a_ticket(uow, model)
    event, envelope = breach(ticket)
    await handlers.on_sla_breached(event, envelope, uow)
    await handlers.on_sla_breached(event, envelope_for(event, "/fieldops/escalation"), uow)
    await handlers.on_sla_breached(*breach(ticket), uow)  # a second breach of the ticket
    [loan] = await loans_of(uow, ticket)
    assert (loan["loaner_serial"], loan["checked_out_by"]) == (serial, "system")
    [out] = published(uow, LoanerCheckedOut)
    assert (out.ticket_id, out.loaner_serial, out.model) == (ticket, serial, model)
    [due] = await handlers.loaners_due(uow, status=None, ticket_id=ticket)
    assert (due["status"], due["loan_id"]) == ("out", loan["id"])
    [listed] = await handlers.list_loaners(
        uow, after=None, limit=10, ticket_id=ticket, status=None, model=None
    )
    assert listed["status"] == "checked_out" and listed["loan"]["ticket_id"] == ticket
    assert listed["loan"]["due_back"] == uow.now + timedelta(days=uow.settings.loaner_days)


async def test_breaches_of_other_clocks_owe_no_loaner(uow):
    model = tag("S5735")
    await a_loaner(uow, model, await a_location(uow))
    ticket = await a_ticket(uow, model)
    await handlers.on_sla_breached(*breach(ticket, kind="restore"), uow)
    assert await loans_of(uow, ticket) == []
    assert await handlers.loaners_due(uow, status=None, ticket_id=ticket) == []


async def test_a_similar_model_goes_when_the_same_is_not_in_the_pool(uow):
    wanted, similar, other = tag("S5735"), tag("S5720"), tag("AR6120")
    location = await a_location(uow)
    await handlers.declare_model(DeclareModel(wanted, "huawei", "switch"), uow)
    await a_loaner(uow, other, location, category="router")
    serial = await a_loaner(uow, similar, location)
    ticket = await a_ticket(uow, wanted, manufacturer="Huawei")  # as the customer spelled it
    await handlers.on_sla_breached(*breach(ticket), uow)
    [loan] = await loans_of(uow, ticket)
    assert loan["loaner_serial"] == serial


async def test_a_waiting_ticket_is_served_by_the_next_check_in_that_fits(uow):
    model = tag("S5735")
    location = await a_location(uow)
    serial = await a_loaner(uow, model, location)
    first, second = await a_ticket(uow, model), await a_ticket(uow, model)
    await handlers.on_sla_breached(*breach(first), uow)
    await handlers.on_sla_breached(*breach(second), uow)
    assert await loans_of(uow, second) == []
    [due] = await handlers.loaners_due(uow, status="waiting", ticket_id=second)
    assert due["model"] == model

    back = await handlers.check_in(CheckIn(serial, by="desk", notes="scratched"), uow)
    assert back["status"] == "checked_out" and back["loan"]["ticket_id"] == second
    [returned] = published(uow, LoanerReturned)
    assert (returned.ticket_id, returned.loaner_serial) == (first, serial)
    [loan] = await loans_of(uow, second)
    assert loan["loaner_serial"] == serial
    [due] = await handlers.loaners_due(uow, status=None, ticket_id=second)
    assert due["status"] == "out"


async def test_a_unit_registered_later_serves_the_oldest_waiting_ticket(uow):
    model = tag("S5735")
    ticket = await a_ticket(uow, model)
    await handlers.on_sla_breached(*breach(ticket), uow)
    assert await loans_of(uow, ticket) == []
    serial = tag("LN")
    made = await handlers.register_loaner(
        RegisterLoaner(serial, model, "huawei", "switch", await a_location(uow), by="admin"), uow
    )
    assert made["status"] == "checked_out" and made["loan"]["ticket_id"] == ticket


async def test_checking_out_twice_is_refused_and_changes_nothing(uow):
    serial = await a_loaner(uow, tag("S5735"), await a_location(uow))
    first, second = await a_ticket(uow, None), await a_ticket(uow, None)
    await handlers.check_out(CheckOut(serial, first, by="desk"), uow)
    with pytest.raises(AlreadyCheckedOut) as refused:
        async with uow.conn.transaction():
            await handlers.check_out(CheckOut(serial, second, by="desk"), uow)
    assert refused.value.context == {
        "current_status": "checked_out",
        "move": "check_out",
        "allowed": ["check_in"],
        "serial": serial,
    }
    assert await loans_of(uow, second) == []
    [loan] = await loans_of(uow, first)
    assert loan["returned_at"] is None


async def test_the_index_refuses_a_second_open_loan_the_status_check_missed(uow):
    serial = await a_loaner(uow, tag("S5735"), await a_location(uow))
    ticket = await a_ticket(uow, None)
    await handlers.check_out(CheckOut(serial, ticket, by="desk"), uow)
    await uow.conn.execute(
        "UPDATE inventory.loaners SET status = 'available' WHERE serial = $1", serial
    )
    with pytest.raises(AlreadyCheckedOut):
        async with uow.conn.transaction():
            await handlers.check_out(CheckOut(serial, ticket, by="desk"), uow)


async def test_check_in_of_a_unit_not_out_is_refused(uow):
    serial = await a_loaner(uow, tag("S5735"), await a_location(uow))
    with pytest.raises(NotCheckedOut):
        await handlers.check_in(CheckIn(serial, by="desk"), uow)


async def test_a_check_out_for_an_unknown_or_closed_ticket_is_refused(uow):
    serial = await a_loaner(uow, tag("S5735"), await a_location(uow))
    with pytest.raises(TicketNotKnown):
        async with uow.conn.transaction():
            await handlers.check_out(CheckOut(serial, uuid.uuid4(), by="desk"), uow)
    closed = await a_ticket(uow, None)
    await uow.conn.execute("UPDATE inventory.tickets SET status = 'closed' WHERE id = $1", closed)
    with pytest.raises(TicketEnded):
        async with uow.conn.transaction():
            await handlers.check_out(CheckOut(serial, closed, by="desk"), uow)


async def test_an_overdue_loan_is_listed_as_overdue(uow):
    serial = await a_loaner(uow, tag("S5735"), await a_location(uow))
    ticket = await a_ticket(uow, None)
    await handlers.check_out(
        CheckOut(serial, ticket, by="desk", due_back=uow.now + timedelta(seconds=1)), uow
    )
    await uow.conn.execute(
        "UPDATE inventory.loans SET due_back = $2 WHERE ticket_id = $1",
        ticket,
        uow.now - timedelta(days=1),
    )
    [listed] = await handlers.list_loaners(
        uow, after=None, limit=10, ticket_id=ticket, status="overdue", model=None
    )
    assert listed["serial"] == serial and listed["loan"]["overdue"]


async def test_registration_refuses_an_unknown_location_a_duplicate_and_a_model_clash(uow):
    model = tag("S5735")
    with pytest.raises(UnknownLocation):
        async with uow.conn.transaction():
            await a_loaner(uow, model, uuid.uuid4())
    location = await a_location(uow)
    serial = await a_loaner(uow, model, location)
    with pytest.raises(LoanerExists):
        async with uow.conn.transaction():
            await handlers.register_loaner(
                RegisterLoaner(serial, model, "huawei", "switch", location, by="admin"), uow
            )
    with pytest.raises(ModelClash):
        async with uow.conn.transaction():
            await handlers.register_loaner(
                RegisterLoaner(tag("LN"), model, "cisco", "switch", location, by="admin"), uow
            )
    with pytest.raises(ModelClash):
        await handlers.declare_model(DeclareModel(model, "cisco", "switch"), uow)


def repeat_failure(serial: str) -> AssetRepeatFailure:
    return AssetRepeatFailure(
        serial=serial,
        earlier_ticket_id=uuid.uuid4(),
        ticket_id=uuid.uuid4(),
        model="S5735",
        manufacturer="huawei",
        customer_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        detected_at="2026-11-25T11:15:00Z",
    )


async def test_a_repeat_failure_orders_one_replacement_however_often_delivered(uow):
    serial = tag("SN")
    failure = repeat_failure(serial)
    for _ in range(2):
        await on_repeat_failure(failure, envelope_for(failure, "/fieldops/intake"), uow)
    [ordered] = published(uow, ReplacementOrdered)
    assert (ordered.serial, ordered.ticket_id, ordered.model) == (
        serial,
        failure.ticket_id,
        "S5735",
    )
    [row] = await list_replacements(uow, serial=serial, status=None, after=None, limit=10)
    assert (row["id"], row["status"]) == (ordered.replacement_id, "ordered")
    later = repeat_failure(serial)  # another repeat failure of the same unit: another order
    await on_repeat_failure(later, envelope_for(later, "/fieldops/intake"), uow)
    assert len(await list_replacements(uow, serial=serial, status=None, after=None, limit=10)) == 2


async def test_a_replacement_is_delivered_once(uow):
    failure = repeat_failure(tag("SN"))
    await on_repeat_failure(failure, envelope_for(failure, "/fieldops/intake"), uow)
    [ordered] = published(uow, ReplacementOrdered)
    done = await deliver(DeliverReplacement(ordered.replacement_id), uow)
    assert done["status"] == "delivered"
    with pytest.raises(ReplacementIllegalMove):
        await deliver(DeliverReplacement(ordered.replacement_id), uow)
    with pytest.raises(ReplacementNotFound):
        await deliver(DeliverReplacement(uuid.uuid4()), uow)


async def test_a_unit_out_cannot_be_retired_and_a_retired_one_never_goes_out(uow):
    model = tag("S5735")
    serial = await a_loaner(uow, model, await a_location(uow))
    ticket = await a_ticket(uow, model)
    await handlers.check_out(CheckOut(serial, ticket, by="desk"), uow)
    with pytest.raises(IllegalMove):
        async with uow.conn.transaction():
            await handlers.retire(Retire(serial), uow)
    await handlers.check_in(CheckIn(serial, by="desk"), uow)
    assert (await handlers.retire(Retire(serial), uow))["status"] == "retired"
    waiting = await a_ticket(uow, model)
    await handlers.on_sla_breached(*breach(waiting), uow)
    assert await loans_of(uow, waiting) == []


async def test_the_pool_pages_oldest_first_without_repeats(uow):
    model = tag("S5735")
    location = await a_location(uow)
    serials = sorted([await a_loaner(uow, model, location) for _ in range(3)])
    first = await handlers.list_loaners(
        uow, after=None, limit=2, ticket_id=None, status="available", model=model
    )
    last = first[1]
    rest = await handlers.list_loaners(
        uow,
        after=(last["created_at"], last["serial"]),
        limit=2,
        ticket_id=None,
        status="available",
        model=model,
    )
    assert [r["serial"] for r in first[:2] + rest] == serials


async def a_part(uow: UnitOfWork, manufacturer: str, models: list[str]) -> str:
    number = tag("PN")
    await uow.conn.execute(
        "INSERT INTO inventory.parts (part_number, manufacturer, description, models, "
        "created_at, updated_at) VALUES ($1, $2, 'Power supply', $3, $4, $4)",
        number,
        manufacturer,
        models,
        uow.now,
    )
    return number


def eol(manufacturer, end, *, part=None, model=None, vendor=None, admin=False) -> AnnounceEol:
    return AnnounceEol(manufacturer, part, model, end, by="someone", vendor=vendor, is_admin=admin)


async def test_a_vendor_announces_its_own_part_for_the_parts_models(uow):
    part = await a_part(uow, "huawei", ["S5735", "S5720"])
    far = date(uow.now.year + 2, 1, 1)
    made = await announce(eol("huawei", far, part=part, vendor="huawei"), uow)
    assert (made["scope"], made["models"], made["late_notice"]) == (
        "part",
        ["S5735", "S5720"],
        False,
    )
    [event] = published(uow, PartEolAnnounced)
    assert (event.part_number, event.scope, event.late_notice) == (part, "part", False)


async def test_a_whole_model_soon_is_announced_late(uow):
    soon = uow.now.date() + timedelta(days=30)
    made = await announce(eol("huawei", soon, model="S5735", admin=True), uow)
    assert (made["scope"], made["models"], made["late_notice"]) == ("model", ["S5735"], True)
    [event] = published(uow, PartEolAnnounced)
    assert (event.part_number, event.scope, event.late_notice) == ("S5735", "model", True)


async def test_eol_for_another_maker_is_refused_and_nothing_is_recorded(uow):
    theirs = await a_part(uow, "cisco", ["C9300"])
    far = date(uow.now.year + 2, 1, 1)
    with pytest.raises(OtherManufacturer):
        await announce(eol("cisco", far, part=theirs, vendor="huawei"), uow)
    with pytest.raises(EolPartNotFound):  # another maker's part is, to a vendor, no part
        await announce(eol("huawei", far, part=theirs, vendor="huawei"), uow)
    with pytest.raises(EolInPast):
        await announce(
            eol("cisco", uow.now.date() - timedelta(days=1), part=theirs, admin=True), uow
        )
    count = "SELECT count(*) FROM inventory.eol_announcements WHERE part_number = $1"
    assert await uow.conn.fetchval(count, theirs) == 0
    assert published(uow, PartEolAnnounced) == []
