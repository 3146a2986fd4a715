"""The dispatch service: the support team's assignment of engineers to fault events."""

from __future__ import annotations

from services.dispatch.api import router
from services.dispatch.handlers import EVENT_HANDLERS
from shared.service import ServiceSpec

SPEC = ServiceSpec(
    name="dispatch",
    title="fieldops dispatch",
    description="Engineers by skill and region; every ticket assigned at once; engineers pull and accept their work.",
    routers=[router],
    consumes_from=["intake"],
    handlers=EVENT_HANDLERS,
)

create_app = SPEC.create_app
