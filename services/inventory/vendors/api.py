"""The partner vendors' API (IV-7): availability of their own parts, by location, rate-limited
per vendor. Staff read the same answers, for any part, uncounted."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Security

from services.inventory.parts.api import PartNumber, part_number_after
from services.inventory.stock.ledger import Level
from services.inventory.vendors import handlers
from services.inventory.vendors.quota import VendorQuota
from services.inventory.vendors.schemas import (
    LocationAvailable,
    PartAvailability,
    VendorPartPublic,
    VendorPartsPage,
)
from shared.auth import Principal, authenticate
from shared.http.pagination import DEFAULT_LIMIT, Cursor, Limit, encode_cursor
from shared.http.problems import Problem, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

STAFF = ("inventory:admin", "ops:read")
RATE_LIMITED = problem_responses(
    429,
    described={
        429: "This vendor's tokens made more calls than its rate allows (FIELDOPS_VENDOR_RATE_LIMIT"
        ", per replica); `Retry-After` says in how many seconds to try again"
    },
)
RATE_LIMITED[429]["headers"] = {
    "Retry-After": {
        "description": "Whole seconds until the vendor's oldest counted call leaves the window",
        "schema": {"type": "integer", "minimum": 1},
    }
}


async def counted_reader(
    principal: Annotated[Principal, Security(authenticate, scopes=["parts:read", *STAFF])],
    runtime: RuntimeDep,
) -> Principal:
    """IV-7: a call with a vendor's token counts against that vendor's rate; staff are never
    counted. Counted after authentication: a forged token spends no vendor's calls."""
    if principal.vendor is not None:
        quota: VendorQuota = runtime.resource(
            "vendor-quota", lambda rt: VendorQuota(rt.settings.vendor_rate_limit)
        )
        wait = quota.take(principal.vendor)
        if wait is not None:
            raise Problem(
                429,
                "too-many-requests",
                f"over {runtime.settings.vendor_rate_limit} for this vendor; retry in {wait} s",
                headers={"Retry-After": str(wait)},
            )
    return principal


# Every route a vendor's token reaches takes its principal through here.
PartsReader = Annotated[Principal, Depends(counted_reader)]


def _locations(levels: list[Level]) -> list[LocationAvailable]:
    return [
        LocationAvailable(
            location_id=level.location_id,
            name=level.location_name,
            kind=level.location_kind,
            latitude=level.latitude,
            longitude=level.longitude,
            available=level.available,
        )
        for level in levels
    ]


@router.get(
    "/parts/{part_number:path}/availability",
    response_model=PartAvailability,
    tags=["vendors"],
    summary="How many of a part can be had now, and where (IV-7)",
    description="Available = on hand less reserved, per location and in all; only locations "
    "with any available are listed. A vendor's token sees its own manufacturer's parts only: "
    "another maker's part is the same 404 as one that does not exist. No costs, no customers, "
    "no tickets.",
    responses={
        **problem_responses(404, described={404: "No such part (or not this vendor's)"}),
        **RATE_LIMITED,
    },
)
async def part_availability(
    part_number: PartNumber, runtime: RuntimeDep, principal: PartsReader
) -> Any:
    async with runtime.uow() as uow:
        found = await handlers.availability(
            uow, part_number, vendor=principal.vendor, is_staff=principal.has_any(*STAFF)
        )
    return PartAvailability(
        part_number=found.part_number,
        manufacturer=found.manufacturer,
        available=found.available,
        locations=_locations(found.locations),
    )


@router.get(
    "/vendor/parts",
    response_model=VendorPartsPage,
    tags=["vendors"],
    summary="The calling vendor's own parts, with availability (IV-7)",
    description="By part number; page on with `next_cursor`. Needs a token with a `vendor` claim.",
    responses={
        **problem_responses(
            403, described={403: "The token lacks the scope, or has no `vendor` claim"}
        ),
        **RATE_LIMITED,
    },
)
async def vendor_parts(
    runtime: RuntimeDep,
    principal: PartsReader,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Any:
    after = part_number_after(cursor)
    async with runtime.uow() as uow:
        page = await handlers.vendor_parts(uow, principal.vendor, after=after, limit=limit)
    return VendorPartsPage(
        items=[
            VendorPartPublic(
                part_number=part.part_number,
                description=part.description,
                models=part.models,
                original=part.original,
                condition=part.condition,
                available=sum(level.available for level in levels),
                locations=_locations(levels),
            )
            for part, levels in page.parts
        ],
        next_cursor=None if page.next_after is None else encode_cursor(page.next_after),
    )
