"""Follow-up calls (IN-7): recorded, and put on the ticket's timeline. Glue only; never commits."""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

from services.intake.followups import rules, store
from services.intake.followups.commands import RecordFollowUp
from services.intake.followups.rules import FollowUp
from services.intake.timeline import handlers as timeline
from services.intake.timeline.store import Entry
from shared.db import UnitOfWork

KIND = "follow_up.recorded"


async def record_follow_up(command: RecordFollowUp, uow: UnitOfWork) -> FollowUp:
    rules.check_called_at(command.called_at, uow.now)
    follow_up = FollowUp(
        id=uuid.uuid4(),
        ticket_id=command.ticket_id,
        called_by=command.called_by,
        called_at=command.called_at,
        outcome=command.outcome,
        notes=command.notes,
        recorded_by=command.by,
        recorded_at=uow.now,
    )
    await store.insert(uow.conn, follow_up)  # TicketNotFound for a ticket that is not there
    await timeline.record(
        uow,
        Entry(
            command.ticket_id,
            command.called_at,
            KIND,
            command.called_by,
            {
                "follow_up_id": str(follow_up.id),
                "outcome": command.outcome.value,
                "notes": command.notes,
                "recorded_by": command.by,
            },
        ),
    )
    return follow_up


async def list_follow_ups(
    uow: UnitOfWork, ticket_id: UUID, *, after: tuple[datetime, UUID] | None, limit: int
) -> list[FollowUp] | None:
    """None when there is no such ticket."""
    found = await store.page(uow.conn, ticket_id, after=after, limit=limit)
    if not found and not await timeline.ticket_exists(uow, ticket_id):
        return None
    return found
