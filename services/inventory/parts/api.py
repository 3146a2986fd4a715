"""The parts catalogue over HTTP, for inventory admins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Request, Security

from services.inventory.parts import handlers
from services.inventory.parts.commands import RegisterPart
from services.inventory.parts.rules import PART_NUMBER
from services.inventory.parts.schemas import PartCreate, PartPublic
from shared.auth import Principal, authenticate
from shared.db import UnitOfWork
from shared.http.creation import CreateEndpoint, one_at_a_time
from shared.http.idempotency import IdempotencyKey
from shared.http.problems import BODY_PROBLEMS, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

InventoryAdmin = Annotated[Principal, Security(authenticate, scopes=["inventory:admin"])]
# A part number may hold "/" (PART_NUMBER), so its routes take it as a `:path`.
PartNumber = Annotated[str, Path(pattern=PART_NUMBER.pattern, max_length=64)]


async def _register(uow: UnitOfWork, body: PartCreate) -> handlers.Created:
    return await handlers.register_part(
        uow,
        RegisterPart(
            part_number=body.part_number, vendor=body.vendor, description=body.description
        ),
    )


PARTS = CreateEndpoint(
    "parts",
    one_at_a_time(_register),
    PartPublic.model_validate,
    location=lambda p: f"/v1/parts/{p['part_number']}/availability",
)


@router.post(
    "/parts",
    status_code=201,
    response_model=PartPublic,
    tags=["parts"],
    summary="Register a part",
    responses=problem_responses(
        *BODY_PROBLEMS,
        409,
        described={409: "Part number already registered, or its Idempotency-Key still in progress"},
    ),
)
async def register_part(
    body: PartCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: InventoryAdmin,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    return await PARTS(runtime, request, principal=principal.sub, key=idempotency_key, body=body)
