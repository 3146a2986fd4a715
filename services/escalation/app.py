"""The escalation service: SLA clocks on the right calendar, and the escalation ladder."""

from __future__ import annotations

from services.escalation.calendars import api as calendars_api
from services.escalation.clocks import api as clocks_api
from services.escalation.clocks import handlers as clocks
from services.escalation.clocks.timer import breach_timer
from shared.service import ServiceSpec, handler_map

SPEC = ServiceSpec(
    name="escalation",
    title="fieldops escalation",
    description="Response and restore clocks for every ticket (ES-1, ES-2); breaches fire once, "
    "on time.",
    routers=[clocks_api.router, calendars_api.router],
    handlers=handler_map(clocks.EVENTS),
    workers=[breach_timer],
)

create_app = SPEC.create_app
