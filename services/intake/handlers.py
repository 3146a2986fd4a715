"""Intake's commands and the events it reacts to. They run inside a unit of work and never commit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from services.intake import domain
from services.intake.schemas import CustomerCreate, TicketCreate
from shared.db import UnitOfWork, rows
from shared.errors import DomainError
from shared.events.contracts import (
    AssignmentAccepted,
    AssignmentCreated,
    AssignmentUnassigned,
    TicketCreated,
)
from shared.events.envelope import Envelope
from shared.http.creation import Created, CreateRequest

TICKET_COLUMNS = ("id, number, customer_id, summary, description, channel, category, impact, priority, status, "
                  "region, created_at, updated_at")


async def create_customer(uow: UnitOfWork, command: CustomerCreate) -> Created:
    row = await uow.conn.fetchrow(
        "INSERT INTO intake.customers (id, name, region, created_at) VALUES ($1, $2, $3, now()) "
        "RETURNING id, name, region, created_at",
        uuid.uuid4(), command.name, command.region,
    )
    return dict(row), []


async def get_customer(uow: UnitOfWork, customer_id: UUID) -> dict[str, Any] | None:
    row = await uow.conn.fetchrow("SELECT id, name, region, created_at FROM intake.customers WHERE id = $1", customer_id)
    return dict(row) if row else None


async def create_tickets(uow: UnitOfWork, requests: list[CreateRequest[TicketCreate]]) -> list[Created | DomainError]:
    """IN-1/IN-2/IN-3: record a batch of fault reports in one statement, each classified and handed on.

    The ticket and its `ticket.created` commit together, so dispatch and escalation always hear of it.
    """
    now = datetime.now(UTC)
    commands = [r.command for r in requests]
    ids = [uuid.uuid4() for _ in commands]
    records = await uow.conn.fetch(
        f"""INSERT INTO intake.tickets (id, number, customer_id, summary, description, channel, category, impact,
                                        priority, status, region, created_by, created_at, updated_at)
            SELECT u.id, 'T-' || lpad(nextval('intake.ticket_number_seq')::text, 8, '0'), c.id, u.summary,
                   u.description, u.channel, u.category, u.impact, u.priority, 'new', coalesce(u.region, c.region),
                   u.created_by, $10, $10
            FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                        $8::text[], $9::text[], $11::text[])
                 WITH ORDINALITY AS u(id, customer_id, summary, description, channel, category, impact, priority,
                                      region, created_by, ord)
            JOIN intake.customers c ON c.id = u.customer_id
            ORDER BY u.ord
            RETURNING {TICKET_COLUMNS}""",
        ids, [c.customer_id for c in commands], [c.summary for c in commands], [c.description for c in commands],
        [c.channel.value for c in commands], [c.category.value for c in commands], [c.impact.value for c in commands],
        [domain.classify(c.impact).value for c in commands], [c.region for c in commands], now,
        [r.principal for r in requests],
    )
    created = {r["id"]: dict(r) for r in records}
    results: list[Created | DomainError] = []
    for ticket_id, command in zip(ids, commands, strict=True):
        ticket = created.get(ticket_id)
        if ticket is None:
            results.append(domain.UnknownCustomer(f"customer {command.customer_id} does not exist",
                                                  customer_id=command.customer_id))
            continue
        results.append((ticket, [TicketCreated(
            ticket_id=ticket["id"], number=ticket["number"], customer_id=ticket["customer_id"],
            priority=ticket["priority"], category=ticket["category"], channel=ticket["channel"],
            summary=ticket["summary"], region=ticket["region"], created_at=ticket["created_at"],
        )]))
    return results


async def get_ticket(uow: UnitOfWork, ticket_id: UUID) -> dict[str, Any] | None:
    row = await uow.conn.fetchrow(f"SELECT {TICKET_COLUMNS} FROM intake.tickets WHERE id = $1", ticket_id)
    return dict(row) if row else None


async def list_tickets(uow: UnitOfWork, *, after: tuple[datetime, UUID] | None, limit: int, status: str | None,
                       customer_id: UUID | None) -> list[dict[str, Any]]:
    clauses, args = [], []
    if after is not None:
        args += list(after)
        clauses.append(f"(created_at, id) > (${len(args) - 1}, ${len(args)})")
    if status is not None:
        args.append(status)
        clauses.append(f"status = ${len(args)}")
    if customer_id is not None:
        args.append(customer_id)
        clauses.append(f"customer_id = ${len(args)}")
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    args.append(limit + 1)
    records = await uow.conn.fetch(
        f"SELECT {TICKET_COLUMNS} FROM intake.tickets {where} ORDER BY created_at, id LIMIT ${len(args)}", *args
    )
    return rows(records)


async def _move_ticket(uow: UnitOfWork, ticket_id: UUID, to: domain.TicketStatus) -> None:
    current = await uow.conn.fetchval("SELECT status FROM intake.tickets WHERE id = $1 FOR UPDATE", ticket_id)
    if current is None:
        return  # not ours (another deployment's ticket on a shared topic): nothing to move
    status = domain.advance(domain.TicketStatus(current), to)
    if status != current:
        await uow.conn.execute("UPDATE intake.tickets SET status = $2, updated_at = now() WHERE id = $1", ticket_id, status)


async def on_assignment_created(event: AssignmentCreated, envelope: Envelope, uow: UnitOfWork) -> None:
    await _move_ticket(uow, event.ticket_id, domain.TicketStatus.assigned)


async def on_assignment_unassigned(event: AssignmentUnassigned, envelope: Envelope, uow: UnitOfWork) -> None:
    await _move_ticket(uow, event.ticket_id, domain.TicketStatus.unassigned)


async def on_assignment_accepted(event: AssignmentAccepted, envelope: Envelope, uow: UnitOfWork) -> None:
    await _move_ticket(uow, event.ticket_id, domain.TicketStatus.in_progress)


EVENT_HANDLERS = {
    AssignmentCreated.type: on_assignment_created,
    AssignmentUnassigned.type: on_assignment_unassigned,
    AssignmentAccepted.type: on_assignment_accepted,
}
