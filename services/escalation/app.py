"""The escalation service: SLA clocks on the right calendar, the escalation ladder, and the
notifications that tell people (webhooks and e-mail)."""

from __future__ import annotations

from services.escalation.calendars import api as calendars_api
from services.escalation.clocks import api as clocks_api
from services.escalation.clocks import handlers as clocks
from services.escalation.clocks.timer import breach_timer
from services.escalation.notifications import api as notifications_api
from services.escalation.notifications import handlers as notifications
from services.escalation.notifications.timer import mail_sender, webhook_sender
from shared.service import ServiceSpec, handler_map

SPEC = ServiceSpec(
    name="escalation",
    title="fieldops escalation",
    description="Response and restore clocks for every ticket (ES-1, ES-2); breaches fire once, "
    "on time. Signed webhooks and e-mail tell the right people, once per event.",
    routers=[clocks_api.router, calendars_api.router, notifications_api.router],
    # notifications reads escalation's own topic (its SLA and ladder outcomes) and intake's
    # notice.due: the topics follow from the types handled.
    handlers=handler_map(clocks.EVENTS, notifications.EVENTS),
    workers=[breach_timer, webhook_sender, mail_sender],
)

create_app = SPEC.create_app
