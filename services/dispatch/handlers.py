"""Dispatch's commands and the events it reacts to. They run inside a unit of work and never commit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from services.dispatch import domain
from services.dispatch.schemas import EngineerCreate
from shared.db import UnitOfWork, rows
from shared.events.contracts import AssignmentUnassigned, TicketCreated
from shared.events.envelope import Envelope
from shared.http.creation import Created

ASSIGNMENT_COLUMNS = "id, ticket_id, engineer_id, status, assigned_at, accepted_at"
ENGINEER_COLUMNS = "id, name, skills, region, active, created_at"


def engineer_key(engineer_id: UUID) -> tuple[str, UUID]:
    """What an engineer's long-poll waits on: any change to their assignments."""
    return ("engineer", engineer_id)


async def create_engineer(uow: UnitOfWork, command: EngineerCreate) -> Created:
    row = await uow.conn.fetchrow(
        f"INSERT INTO dispatch.engineers (id, name, skills, region, active, created_at) "
        f"VALUES ($1, $2, $3, $4, true, now()) RETURNING {ENGINEER_COLUMNS}",
        uuid.uuid4(), command.name, sorted({s.value for s in command.skills}), command.region,
    )
    return dict(row), []


async def get_engineer(uow: UnitOfWork, engineer_id: UUID) -> dict[str, Any] | None:
    row = await uow.conn.fetchrow(f"SELECT {ENGINEER_COLUMNS} FROM dispatch.engineers WHERE id = $1", engineer_id)
    return dict(row) if row else None


async def _candidates(uow: UnitOfWork) -> list[domain.Candidate]:
    records = await uow.conn.fetch(
        "SELECT id, skills, region, active_assignments FROM dispatch.engineers WHERE active"
    )
    return [domain.Candidate(r["id"], frozenset(r["skills"]), r["region"], r["active_assignments"]) for r in records]


async def on_ticket_created(event: TicketCreated, envelope: Envelope, uow: UnitOfWork) -> None:
    """IN-2/DS-1: every recorded ticket is assigned at once, or reported as unassignable."""
    await uow.conn.execute(
        "INSERT INTO dispatch.tickets (id, number, priority, category, region, received_at) "
        "VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT (id) DO NOTHING",
        event.ticket_id, event.number, event.priority, event.category, event.region,
    )
    # Serialise assignment decisions so that concurrent replicas see each other's load.
    await uow.conn.execute("SELECT pg_advisory_xact_lock(hashtext('dispatch.assign'))")
    ticket = domain.OpenTicket(event.ticket_id, event.category, event.region)
    now = datetime.now(UTC)
    try:
        engineer = domain.choose_engineer(ticket, await _candidates(uow))
    except domain.NotAssignable as exc:
        reason = exc.context["reason"]
        await uow.conn.execute("UPDATE dispatch.tickets SET unassigned_reason = $2 WHERE id = $1", event.ticket_id, reason)
        uow.publish(AssignmentUnassigned(ticket_id=event.ticket_id, reason=reason, at=now))
        return
    created = domain.assign(ticket, engineer, now)
    await uow.conn.execute(
        "WITH counted AS (UPDATE dispatch.engineers SET active_assignments = active_assignments + 1 WHERE id = $3) "
        "INSERT INTO dispatch.assignments (id, ticket_id, engineer_id, status, assigned_at, updated_at) "
        "VALUES ($1, $2, $3, 'assigned', $4, $4)",
        created.assignment_id, created.ticket_id, created.engineer_id, created.assigned_at,
    )
    uow.publish(created)
    uow.changed(engineer_key(created.engineer_id))


async def ticket_assignments(uow: UnitOfWork, ticket_id: UUID, *, engineer_id: UUID | None) -> list[dict[str, Any]]:
    records = await uow.conn.fetch(
        f"SELECT {ASSIGNMENT_COLUMNS} FROM dispatch.assignments "
        "WHERE ticket_id = $1 AND ($2::uuid IS NULL OR engineer_id = $2) ORDER BY assigned_at, id",
        ticket_id, engineer_id,
    )
    return rows(records)


async def engineer_assignments(uow: UnitOfWork, engineer_id: UUID, *, after: tuple[datetime, UUID] | None,
                               limit: int, status: str | None) -> list[dict[str, Any]]:
    # The status filter is spelled out, not `($n IS NULL OR status = $n)`: a phone polling its
    # open work must reach it through the index, not read every job the engineer ever had.
    clauses, args = ["engineer_id = $1"], [engineer_id]
    if status is not None:
        args.append(status)
        clauses.append(f"status = ${len(args)}")
    if after is not None:
        args += list(after)
        clauses.append(f"(assigned_at, id) > (${len(args) - 1}, ${len(args)})")
    args.append(limit + 1)
    records = await uow.conn.fetch(
        f"SELECT {ASSIGNMENT_COLUMNS} FROM dispatch.assignments WHERE {' AND '.join(clauses)} "
        f"ORDER BY assigned_at, id LIMIT ${len(args)}",
        *args,
    )
    return rows(records)


async def get_assignment(uow: UnitOfWork, assignment_id: UUID, *, for_update: bool = False) -> dict[str, Any] | None:
    lock = " FOR UPDATE" if for_update else ""
    row = await uow.conn.fetchrow(f"SELECT {ASSIGNMENT_COLUMNS} FROM dispatch.assignments WHERE id = $1{lock}", assignment_id)
    return dict(row) if row else None


async def accept_assignment(uow: UnitOfWork, assignment_id: UUID, *, engineer_id: UUID | None) -> dict[str, Any]:
    """`engineer_id` None: a dispatcher accepting on the engineer's behalf."""
    row = await get_assignment(uow, assignment_id, for_update=True)
    # Someone else's assignment is reported as missing: an engineer learns nothing of others' work.
    if row is None or (engineer_id is not None and row["engineer_id"] != engineer_id):
        raise domain.AssignmentNotFound(f"no assignment {assignment_id}")
    assignment = domain.Assignment(row["id"], row["ticket_id"], row["engineer_id"], domain.AssignmentStatus(row["status"]))
    accepted = domain.accept(assignment, datetime.now(UTC))
    if accepted is None:
        return row
    updated = await uow.conn.fetchrow(
        f"UPDATE dispatch.assignments SET status = 'accepted', accepted_at = $2, updated_at = $2 WHERE id = $1 "
        f"RETURNING {ASSIGNMENT_COLUMNS}",
        assignment_id, accepted.accepted_at,
    )
    uow.publish(accepted)
    uow.changed(engineer_key(accepted.engineer_id))
    return dict(updated)


EVENT_HANDLERS = {TicketCreated.type: on_ticket_created}
