"""End of production over HTTP (IV-5): admins, and partner vendors for their own products."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request, Security

from services.inventory.eol import handlers
from services.inventory.eol.commands import AnnounceEol
from services.inventory.eol.schemas import EolCreate, EolPublic
from services.inventory.parts.schemas import Manufacturer
from shared.auth import Principal, authenticate
from shared.http.commands import CommandEndpoint
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import MAX_LIMIT, Limit
from shared.http.problems import BODY_PROBLEMS, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

EolAnnouncer = Annotated[
    Principal, Security(authenticate, scopes=["inventory:admin", "parts:read"])
]
EolReader = Annotated[
    Principal, Security(authenticate, scopes=["inventory:admin", "ops:read", "parts:read"])
]

ANNOUNCEMENTS: CommandEndpoint[AnnounceEol] = CommandEndpoint(
    "eol", handlers.announce, render=EolPublic.model_validate, status_code=201
)


@router.post(
    "/eol",
    status_code=201,
    response_model=EolPublic,
    tags=["eol"],
    summary="Announce a part's or a model's end of production",
    description="IV-5: intake tells every customer owning an affected model 6 months before "
    "the date. A date less than 6 months away is accepted with `late_notice: true`. A partner "
    "vendor announces for its own manufacturer only.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        403,
        404,
        409,
        422,
        described={
            403: "A vendor announcing for another manufacturer",
            404: "No such part (or not this vendor's)",
            409: "The part is another manufacturer's (for staff), or a request with this "
            "Idempotency-Key is still in progress",
            422: "Both or neither of part_number and model, or a date before today",
        },
    ),
)
async def announce(
    body: EolCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: EolAnnouncer,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    command = AnnounceEol(
        manufacturer=body.manufacturer,
        part_number=body.part_number,
        model=body.model,
        end_of_production=body.end_of_production,
        by=principal.sub,
        vendor=principal.vendor,
        is_admin=principal.has("inventory:admin"),
    )
    return await ANNOUNCEMENTS(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )


@router.get(
    "/eol",
    response_model=list[EolPublic],
    tags=["eol"],
    summary="End-of-production announcements, newest first",
    description="A partner vendor sees its own manufacturer's only.",
)
async def list_announcements(
    runtime: RuntimeDep,
    principal: EolReader,
    manufacturer: Annotated[Manufacturer | None, Query()] = None,
    limit: Limit = MAX_LIMIT,
) -> Any:
    if not principal.has_any("inventory:admin", "ops:read"):
        if principal.vendor is None or manufacturer not in (None, principal.vendor):
            return []
        manufacturer = principal.vendor
    async with runtime.uow() as uow:
        return await handlers.list_announcements(uow, manufacturer=manufacturer, limit=limit)
