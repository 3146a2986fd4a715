"""The inventory service: spare parts, stock and availability for partner vendors."""

from __future__ import annotations

from services.inventory.locations import api as locations_api
from services.inventory.parts import api as parts_api
from services.inventory.stock import api as stock_api
from services.inventory.tickets import handlers as tickets
from shared.service import ServiceSpec, handler_map

SPEC = ServiceSpec(
    name="inventory",
    title="fieldops inventory",
    description="Parts catalogue, locations, the stock ledger with goods receipt, and "
    "availability for partner vendors (IV-1, IV-6, IV-7).",
    # parts_api.part_router last: its `/parts/{part_number:path}` would match the routes
    # below a part (`/parts/X/ledger`) of any router after it.
    routers=[
        locations_api.router,
        parts_api.router,
        stock_api.router,
        parts_api.part_router,
    ],
    handlers=handler_map(tickets.EVENTS),
)

create_app = SPEC.create_app
