"""Inventory's facts about a ticket on its timeline, on real PostgreSQL: a loaner lent and
returned, a part backordered and arrived, a replacement ordered, each once with a note a
reader needs no field list for; none moves the ticket."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from services.intake.app import SPEC
from services.intake.timeline import handlers as timeline
from shared.clock import FrozenClock
from shared.db import UnitOfWork
from shared.events.base import Event
from shared.events.inventory import (
    LoanerCheckedOut,
    LoanerReturned,
    PartAvailable,
    PartBackordered,
    ReplacementOrdered,
)
from shared.outbox_rows import envelope_for

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CUSTOMER = uuid.uuid4()


@pytest.fixture
async def uow(pool, intake_settings) -> AsyncIterator[UnitOfWork]:
    # Never committed: the test's rows go with the rollback.
    async with UnitOfWork(pool, intake_settings, clock=FrozenClock(NOW)) as work:
        yield work


async def a_ticket(uow: UnitOfWork) -> uuid.UUID:
    await uow.conn.execute(
        "INSERT INTO intake.customers (id, name, region, created_at) VALUES ($1, $2, 'east', $3) "
        "ON CONFLICT DO NOTHING",
        CUSTOMER,
        "Bank of Loaners",
        NOW,
    )
    ticket_id = uuid.uuid4()
    await uow.conn.execute(
        """INSERT INTO intake.tickets (id, number, customer_id, summary, description, channel,
                                       category, impact, priority, status, created_by, created_at,
                                       updated_at, reported_at, occurrences, last_occurred_at)
           VALUES ($1, $2, $3, 'Switch down', '', 'phone', 'network', 'outage', 'P2',
                   'in_progress', 'test', $4, $4, $4, 1, $4)""",
        ticket_id,
        f"T-{ticket_id.hex[:10]}",
        CUSTOMER,
        NOW,
    )
    return ticket_id


def of(kind: type[Event], ticket_id: uuid.UUID, hours: float, **fields) -> Event:
    """The contract's example, about this ticket, `hours` after NOW."""
    at = (NOW + timedelta(hours=hours)).isoformat()
    return kind.model_validate({**kind.example, "ticket_id": str(ticket_id), "at": at, **fields})


async def handle_twice(uow: UnitOfWork, event: Event) -> None:
    """Delivered twice under one id, through the handler intake's consumer runs for its type."""
    envelope = envelope_for(event, "/fieldops/inventory")
    for _ in range(2):
        await SPEC.handlers[event.type](event, envelope, uow)


async def entries(uow: UnitOfWork, ticket_id: uuid.UUID) -> list:
    page = await timeline.page(uow, ticket_id, after=0, limit=100)
    assert page is not None
    return [r.entry for r in page]


async def test_a_loaner_lent_and_returned_is_on_the_timeline_once_each_in_words(uow):
    ticket_id = await a_ticket(uow)
    await handle_twice(uow, of(LoanerCheckedOut, ticket_id, 1))
    await handle_twice(uow, of(LoanerReturned, ticket_id, 240))
    lent, returned = await entries(uow, ticket_id)
    assert (lent.kind, lent.actor, lent.at) == (
        "loaner.checked_out",
        "inventory",
        NOW + timedelta(hours=1),
    )
    assert lent.detail["note"] == "Loaner LN-0007 (S5735) lent to the customer"
    assert lent.detail["loaner_serial"] == "LN-0007" and lent.detail["model"] == "S5735"
    assert returned.detail["note"] == "Loaner LN-0007 (S5735) returned by the customer"
    assert returned.at == NOW + timedelta(hours=240)


async def test_a_backordered_part_and_its_arrival_say_how_many(uow):
    ticket_id = await a_ticket(uow)
    await handle_twice(uow, of(PartBackordered, ticket_id, 1, quantity_short=2))
    await handle_twice(uow, of(PartAvailable, ticket_id, 50, quantity_arrived=2))
    assert [(e.kind, e.detail["note"]) for e in await entries(uow, ticket_id)] == [
        (
            "part.backordered",
            "Part HP-JL253A-PSU backordered: 2 short, awaited from the supplier",
        ),
        ("part.available", "Part HP-JL253A-PSU arrived: 2 for this ticket"),
    ]


async def test_a_replacement_is_on_the_timeline_of_the_second_failures_ticket(uow):
    earlier, second = await a_ticket(uow), await a_ticket(uow)
    ordered = of(ReplacementOrdered, second, 2, earlier_ticket_id=str(earlier), serial="SN-0042")
    await handle_twice(uow, ordered)
    [entry] = await entries(uow, second)
    assert entry.kind == "replacement.ordered" and entry.actor == "inventory"
    assert entry.detail["note"] == "A new S5735 ordered to replace SN-0042, which failed twice"
    assert entry.detail["earlier_ticket_id"] == str(earlier)
    assert entry.detail["replacement_id"] == ReplacementOrdered.example["replacement_id"]
    assert await entries(uow, earlier) == []


async def test_inventorys_facts_move_no_ticket_and_skip_tickets_intake_does_not_hold(uow):
    ticket_id = await a_ticket(uow)
    await handle_twice(uow, of(PartBackordered, ticket_id, 1))
    status = await uow.conn.fetchval("SELECT status FROM intake.tickets WHERE id = $1", ticket_id)
    assert status == "in_progress"
    stranger = of(LoanerCheckedOut, uuid.uuid4(), 1)
    await handle_twice(uow, stranger)
    assert (
        await uow.conn.fetchval(
            "SELECT count(*) FROM intake.ticket_timeline WHERE ticket_id = $1", stranger.ticket_id
        )
        == 0
    )
