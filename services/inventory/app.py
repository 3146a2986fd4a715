"""The inventory service: spare parts, stock and availability for partner vendors."""

from __future__ import annotations

from services.inventory.api import router
from services.inventory.handlers import EVENT_HANDLERS
from shared.service import ServiceSpec

SPEC = ServiceSpec(
    name="inventory",
    title="fieldops inventory",
    description="Parts catalogue, stock by warehouse, and availability for partner vendors (IV-1, IV-6, IV-7).",
    routers=[router],
    consumes_from=["intake"],
    handlers=EVENT_HANDLERS,
)

create_app = SPEC.create_app
