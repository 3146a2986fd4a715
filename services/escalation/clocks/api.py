"""SLA clocks over HTTP: a ticket's clocks for the team lead and ops."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Security

from services.escalation.clocks import handlers
from services.escalation.clocks.schemas import ClockPublic
from shared.auth import Principal, authenticate
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

SlaReader = Annotated[Principal, Security(authenticate, scopes=["sla:read", "ops:read"])]


@router.get(
    "/tickets/{ticket_id}/sla",
    response_model=list[ClockPublic],
    tags=["sla"],
    summary="A ticket's SLA clocks: due, met, breached",
)
async def ticket_sla(ticket_id: UUID, runtime: RuntimeDep, principal: SlaReader) -> Any:
    async with runtime.uow() as uow:
        return await handlers.ticket_clocks(uow, ticket_id)
