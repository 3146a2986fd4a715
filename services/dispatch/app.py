"""The dispatch service: the support team's assignment of engineers to fault events."""

from __future__ import annotations

from services.dispatch.assignments import api as assignments_api
from services.dispatch.assignments import handlers as assignments
from services.dispatch.engineers import api as engineers_api
from shared.service import ServiceSpec, handler_map

SPEC = ServiceSpec(
    name="dispatch",
    title="fieldops dispatch",
    description="Engineers by skill and region; every ticket assigned at once; engineers pull "
    "and accept their work.",
    routers=[engineers_api.router, assignments_api.router],
    handlers=handler_map(assignments.EVENTS),
)

create_app = SPEC.create_app
