"""The escalation service: SLA clocks on the right calendar, and the escalation ladder."""

from __future__ import annotations

from services.escalation.api import router
from services.escalation.handlers import EVENT_HANDLERS
from services.escalation.timers import breach_timer
from shared.service import ServiceSpec

SPEC = ServiceSpec(
    name="escalation",
    title="fieldops escalation",
    description="Response and restore clocks for every ticket (ES-1, ES-2); breaches fire once, on time.",
    routers=[router],
    consumes_from=["intake", "dispatch"],
    handlers=EVENT_HANDLERS,
    workers=[breach_timer],
)

create_app = SPEC.create_app
