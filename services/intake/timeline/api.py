"""A ticket's timeline over HTTP: for the call centre, the team lead and the customer's portal."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.intake.access import TicketReader
from services.intake.timeline import handlers
from services.intake.timeline.schemas import TimelineEntryPublic
from shared.http.pagination import (
    DEFAULT_LIMIT,
    Cursor,
    Limit,
    Page,
    decode_sequence,
    page_of,
)
from shared.http.problems import Problem, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()


@router.get(
    "/tickets/{ticket_id}/timeline",
    response_model=Page[TimelineEntryPublic],
    tags=["tickets"],
    summary="Everything that happened to a ticket, oldest first",
    description="IN-4/ES-5: every change, who made it, when and why: creation, each move of "
    "the centre with its reason, dispatch's facts (assigned to whom, accepted, arrived, "
    "completed), SLA clocks met or breached, the service report, follow-up calls, "
    "inventory's loaners, backorders and replacements. Page on "
    "with `next_cursor`; new entries are appended, so a saved cursor picks up what came since.",
    responses=problem_responses(404, described={404: "No such ticket"}),
)
async def ticket_timeline(
    ticket_id: UUID,
    runtime: RuntimeDep,
    principal: TicketReader,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Any:
    after = decode_sequence(cursor)
    async with runtime.uow() as uow:
        entries = await handlers.page(uow, ticket_id, after=after, limit=limit)
    if entries is None:
        raise Problem(404, "not-found", f"no ticket {ticket_id}")
    page = page_of(entries, limit, key=lambda r: (r.seq,))
    return Page[TimelineEntryPublic](
        items=[
            TimelineEntryPublic(
                at=r.entry.at,
                recorded_at=r.recorded_at,
                kind=r.entry.kind,
                actor=r.entry.actor,
                detail=r.entry.detail,
            )
            for r in page.items
        ],
        next_cursor=page.next_cursor,
    )
