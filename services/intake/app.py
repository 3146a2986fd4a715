"""The intake service: the customer service centre's system of record for fault reports."""

from __future__ import annotations

from services.intake.api import router
from services.intake.assets.api import router as assets_router
from services.intake.contacts.api import router as contacts_router
from services.intake.contracts.api import router as contracts_router
from services.intake.handlers import EVENT_HANDLERS
from services.intake.sites.api import router as sites_router
from shared.service import ServiceSpec

SPEC = ServiceSpec(
    name="intake",
    title="fieldops intake",
    description="Fault reports from every channel, classified P1-P4 and handed to dispatch and escalation.",
    routers=[router, contacts_router, sites_router, contracts_router, assets_router],
    consumes_from=["dispatch"],
    handlers=EVENT_HANDLERS,
)

create_app = SPEC.create_app
