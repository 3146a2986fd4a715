"""The dispatch service: the support team's assignment of engineers to fault events."""

from __future__ import annotations

from services.dispatch.assignments import api as assignments_api
from services.dispatch.contracts import handlers as contracts
from services.dispatch.dispatching import api as dispatching_api
from services.dispatch.dispatching import handlers as dispatching
from services.dispatch.dispatching.timer import acceptance_timer
from services.dispatch.engineers import api as engineers_api
from services.dispatch.inspections import api as inspections_api
from services.dispatch.inspections.timer import inspection_timer
from services.dispatch.parts import handlers as parts
from services.dispatch.sites import handlers as sites
from shared.service import ServiceSpec, handler_map

SPEC = ServiceSpec(
    name="dispatch",
    title="fieldops dispatch",
    description="Engineers by skill and region; every ticket assigned at once; engineers pull "
    "and accept their work; each contract inspected on site every month.",
    routers=[
        engineers_api.router,
        assignments_api.router,
        dispatching_api.router,
        inspections_api.router,
    ],
    handlers=handler_map(dispatching.EVENTS, sites.EVENTS, contracts.EVENTS, parts.EVENTS),
    workers=[acceptance_timer, inspection_timer],
)

create_app = SPEC.create_app
