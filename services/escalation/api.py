"""Escalation's HTTP API: the SLA clocks of a ticket."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import Security
from pydantic import BaseModel

from services.escalation import handlers
from services.escalation.domain import ClockKind
from shared.auth import Principal, authenticate
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

SlaReader = Annotated[Principal, Security(authenticate, scopes=["sla:read", "ops:read"])]


class ClockPublic(BaseModel):
    id: UUID
    ticket_id: UUID
    kind: ClockKind
    priority: str
    calendar: str
    started_at: datetime
    due_at: datetime
    met_at: datetime | None
    breached: bool


@router.get("/tickets/{ticket_id}/sla", response_model=list[ClockPublic], tags=["sla"],
            summary="A ticket's SLA clocks: due, met, breached")
async def ticket_sla(ticket_id: UUID, runtime: RuntimeDep, principal: SlaReader) -> Any:
    async with runtime.uow() as uow:
        return await handlers.ticket_clocks(uow, ticket_id)
