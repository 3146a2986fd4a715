"""The intake service: the customer service centre's system of record for fault reports."""

from __future__ import annotations

from services.intake.api import router
from services.intake.handlers import EVENT_HANDLERS
from services.intake.knowledge.api import router as knowledge_router
from shared.service import ServiceSpec

SPEC = ServiceSpec(
    name="intake",
    title="fieldops intake",
    description="Fault reports from every channel, classified P1-P4 and handed to dispatch and escalation.",
    routers=[router, knowledge_router],
    consumes_from=["dispatch"],
    handlers=EVENT_HANDLERS,
)

create_app = SPEC.create_app
