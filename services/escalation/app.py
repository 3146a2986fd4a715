"""The escalation service: SLA clocks on the right calendars, the escalation ladder, and the
notifications that tell people (webhooks and e-mail)."""

from __future__ import annotations

from services.escalation.calendars import api as calendars_api
from services.escalation.clocks import api as clocks_api
from services.escalation.clocks.timer import sla_timer
from services.escalation.contracts import handlers as contracts
from services.escalation.ladder.timer import ladder_timer
from services.escalation.notifications import api as notifications_api
from services.escalation.notifications import handlers as notifications
from services.escalation.notifications.timer import mail_sender, webhook_sender
from services.escalation.reports import api as reports_api
from services.escalation.tickets import handlers as tickets
from shared.service import ServiceSpec, handler_map

SPEC = ServiceSpec(
    name="escalation",
    title="fieldops escalation",
    description="Response, on-site, restore and repair clocks for every ticket on its contract's "
    "calendar (ES-1, ES-2, DS-4, IV-2, ES-7), paused while the customer or a part is awaited; "
    "warnings, breaches and met promises announced once; the escalation ladder climbing level "
    "by level until someone acts (ES-3..ES-5); signed webhooks and e-mail that tell the right "
    "people, once per event.",
    routers=[clocks_api.router, calendars_api.router, reports_api.router, notifications_api.router],
    # notifications reads escalation's own topic (its SLA and ladder outcomes) and intake's
    # notice.due: the topics follow from the types handled.
    handlers=handler_map(tickets.EVENTS, contracts.EVENTS, notifications.EVENTS),
    workers=[sla_timer, ladder_timer, webhook_sender, mail_sender],
)

create_app = SPEC.create_app
