"""The intake service: the customer service centre's system of record for fault reports."""

from __future__ import annotations

from services.intake.assets import api as assets_api
from services.intake.contacts import api as contacts_api
from services.intake.contracts import api as contracts_api
from services.intake.customers import api as customers_api
from services.intake.followups import api as followups_api
from services.intake.knowledge import api as knowledge_api
from services.intake.notices import api as notices_api
from services.intake.notices import handlers as notices
from services.intake.notices.timer import notice_timer
from services.intake.ratings import api as ratings_api
from services.intake.reporting import api as reporting_api
from services.intake.reporting import handlers as reporting
from services.intake.sites import api as sites_api
from services.intake.tickets import api as tickets_api
from services.intake.tickets import handlers as tickets
from services.intake.timeline import api as timeline_api
from services.intake.timeline import handlers as timeline
from shared.service import ServiceSpec, handler_map

SPEC = ServiceSpec(
    name="intake",
    title="fieldops intake",
    description="Fault reports from every channel, classified P1-P4 and handed to dispatch and "
    "escalation.",
    routers=[
        customers_api.router,
        contacts_api.router,
        sites_api.router,
        contracts_api.router,
        assets_api.router,
        tickets_api.router,
        timeline_api.router,
        followups_api.router,
        knowledge_api.router,
        ratings_api.router,
        ratings_api.public_router,
        notices_api.router,
        reporting_api.router,
    ],
    handlers=handler_map(tickets.EVENTS, notices.EVENTS, reporting.EVENTS, timeline.EVENTS),
    workers=[notice_timer],
)

create_app = SPEC.create_app
