"""Intake's commands and the events it reacts to. They run inside a unit of work and never commit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from services.intake import domain
from services.intake.schemas import CustomerCreate, TicketCreate
from shared.db import UnitOfWork
from shared.events.contracts import AssignmentAccepted, AssignmentCreated, AssignmentUnassigned, TicketCreated
from shared.events.envelope import Envelope

TICKET_COLUMNS = ("id, number, customer_id, summary, description, channel, category, impact, priority, status, "
                  "region, created_at, updated_at")


async def create_customer(uow: UnitOfWork, command: CustomerCreate) -> dict[str, Any]:
    row = await uow.conn.fetchrow(
        "INSERT INTO intake.customers (id, name, region, created_at) VALUES ($1, $2, $3, now()) "
        "RETURNING id, name, region, created_at",
        uuid.uuid4(), command.name, command.region,
    )
    return dict(row)


async def get_customer(uow: UnitOfWork, customer_id: UUID) -> dict[str, Any] | None:
    row = await uow.conn.fetchrow("SELECT id, name, region, created_at FROM intake.customers WHERE id = $1", customer_id)
    return dict(row) if row else None


async def create_ticket(uow: UnitOfWork, command: TicketCreate, *, created_by: str) -> dict[str, Any]:
    priority = domain.classify(command.impact)
    now = datetime.now(UTC)
    # IN-2: the ticket and its hand-off event commit together, so dispatch always hears of it.
    row = await uow.conn.fetchrow(
        f"""INSERT INTO intake.tickets (id, number, customer_id, summary, description, channel, category, impact,
                                        priority, status, region, created_by, created_at, updated_at)
            SELECT $1, 'T-' || lpad(nextval('intake.ticket_number_seq')::text, 8, '0'), c.id, $3, $4, $5, $6, $7,
                   $8, 'new', coalesce($9, c.region), $10, $11, $11
            FROM intake.customers c WHERE c.id = $2
            RETURNING {TICKET_COLUMNS}""",
        uuid.uuid4(), command.customer_id, command.summary, command.description, command.channel.value,
        command.category.value, command.impact.value, priority.value, command.region, created_by, now,
    )
    if row is None:
        raise domain.UnknownCustomer(f"customer {command.customer_id} does not exist", customer_id=command.customer_id)
    ticket = dict(row)
    uow.publish(TicketCreated(
        ticket_id=ticket["id"], number=ticket["number"], customer_id=ticket["customer_id"], priority=priority.value,
        category=ticket["category"], channel=ticket["channel"], summary=ticket["summary"], region=ticket["region"],
        created_at=ticket["created_at"],
    ))
    return ticket


async def get_ticket(uow: UnitOfWork, ticket_id: UUID) -> dict[str, Any] | None:
    row = await uow.conn.fetchrow(f"SELECT {TICKET_COLUMNS} FROM intake.tickets WHERE id = $1", ticket_id)
    return dict(row) if row else None


async def list_tickets(uow: UnitOfWork, *, after: list[Any] | None, limit: int, status: str | None,
                       customer_id: UUID | None) -> list[dict[str, Any]]:
    clauses, args = [], []
    if after is not None:
        args += [datetime.fromisoformat(after[0]), UUID(after[1])]
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
    return [dict(r) for r in records]


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
