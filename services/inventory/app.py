"""The inventory service: spare parts, stock and availability for partner vendors."""

from __future__ import annotations

from services.inventory.assets import handlers as assets
from services.inventory.contracts import handlers as contracts
from services.inventory.eol import api as eol_api
from services.inventory.loaners import api as loaners_api
from services.inventory.loaners import handlers as loaners
from services.inventory.locations import api as locations_api
from services.inventory.parts import api as parts_api
from services.inventory.replacements import api as replacements_api
from services.inventory.replacements import handlers as replacements
from services.inventory.reservations import api as reservations_api
from services.inventory.reservations import handlers as reservations
from services.inventory.reservations.timer import expiry_timer
from services.inventory.sites import handlers as sites
from services.inventory.stock import api as stock_api
from services.inventory.tickets import handlers as tickets
from services.inventory.vendors import api as vendors_api
from shared.service import ServiceSpec, handler_map

SPEC = ServiceSpec(
    name="inventory",
    title="fieldops inventory",
    description="Parts catalogue, locations, the stock ledger with goods receipt, reservations "
    "per ticket, loaners, replacements, end of life, and availability for partner vendors "
    "(IV-1..IV-7, DS-3).",
    # A part number may hold "/", so `/parts/{part_number:path}` would also match the routes
    # below a part (`/parts/X/ledger`, `/parts/X/availability`) of any router after it: the
    # vendors' routes come first and parts_api.part_router last.
    routers=[
        vendors_api.router,
        locations_api.router,
        parts_api.router,
        stock_api.router,
        reservations_api.router,
        loaners_api.router,
        replacements_api.router,
        eol_api.router,
        parts_api.part_router,
    ],
    handlers=handler_map(
        tickets.EVENTS,
        sites.EVENTS,
        contracts.EVENTS,
        assets.EVENTS,
        reservations.EVENTS,
        loaners.EVENTS,
        replacements.EVENTS,
    ),
    workers=[expiry_timer],
)

create_app = SPEC.create_app
