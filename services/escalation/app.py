"""The escalation service: SLA clocks on the right calendars, and the escalation ladder."""

from __future__ import annotations

from services.escalation.clocks import api as clocks_api
from services.escalation.clocks.timer import sla_timer
from services.escalation.contracts import handlers as contracts
from services.escalation.ladder.timer import ladder_timer
from services.escalation.reports import api as reports_api
from services.escalation.tickets import handlers as tickets
from shared.service import ServiceSpec, handler_map

SPEC = ServiceSpec(
    name="escalation",
    title="fieldops escalation",
    description="Response, on-site, restore and repair clocks for every ticket on its contract's "
    "calendar (ES-1, ES-2, DS-4, IV-2, ES-7), paused while the customer or a part is awaited; "
    "warnings, breaches and met promises announced once; the escalation ladder climbing level "
    "by level until someone acts (ES-3..ES-5).",
    routers=[clocks_api.router, reports_api.router],
    handlers=handler_map(tickets.EVENTS, contracts.EVENTS),
    workers=[sla_timer, ladder_timer],
)

create_app = SPEC.create_app
