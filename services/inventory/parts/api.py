"""The parts catalogue over HTTP, for inventory admins and the ops team (IV-1)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query, Request, Security
from fastapi.responses import JSONResponse
from starlette.convertors import StringConvertor, register_url_convertor

from services.inventory.parts import handlers
from services.inventory.parts.commands import RegisterPart, SetReorderPoint, UpdatePart
from services.inventory.parts.rules import PART_NUMBER, PART_NUMBER_IN_PATH, PartNotFound
from services.inventory.parts.schemas import (
    Manufacturer,
    Model,
    PartCreate,
    PartPatch,
    PartPublic,
    ReorderPointPublic,
    ReorderPointSet,
)
from shared.auth import Principal, authenticate
from shared.commands import Created
from shared.db import UnitOfWork
from shared.http.commands import CommandEndpoint
from shared.http.creation import CreateEndpoint, one_at_a_time
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import (
    DEFAULT_LIMIT,
    Cursor,
    Limit,
    Page,
    decode_key,
    is_text,
    page_of,
)
from shared.http.problems import BODY_PROBLEMS, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

InventoryAdmin = Annotated[Principal, Security(authenticate, scopes=["inventory:admin"])]
# Staff only: these answers carry unit costs and locations, which partner vendors never see.
StockReader = Annotated[Principal, Security(authenticate, scopes=["inventory:admin", "ops:read"])]
# A part number may hold "/" (PART_NUMBER), so its routes take it as a `:path`.
PartNumber = Annotated[str, Path(pattern=PART_NUMBER.pattern, max_length=64)]


def part_number_after(cursor: str | None) -> str | None:
    """The part number a by-part-number page ends at, from the `next_cursor` it gave out."""
    return decode_key(cursor, is_text(PART_NUMBER.fullmatch))


async def _register(uow: UnitOfWork, body: PartCreate) -> Created:
    return await handlers.register_part(
        uow,
        RegisterPart(
            part_number=body.part_number,
            manufacturer=body.manufacturer,
            description=body.description,
            models=tuple(body.models),
            original=body.original,
            condition=body.condition,
            unit_cost=body.unit_cost,
        ),
    )


PARTS = CreateEndpoint(
    "parts",
    one_at_a_time(_register),
    PartPublic.model_validate,
    location=lambda p: f"/v1/parts/{p['part_number']}",
)


async def _set_reorder_point(command: SetReorderPoint, uow: UnitOfWork) -> dict[str, Any]:
    return await handlers.set_reorder_point(uow, command)


REORDER_POINTS: CommandEndpoint[SetReorderPoint] = CommandEndpoint(
    "reorder-points", _set_reorder_point, render=ReorderPointPublic.model_validate
)


@router.post(
    "/parts",
    status_code=201,
    response_model=PartPublic,
    tags=["parts"],
    summary="Register a part",
    description="Part number, manufacturer, description, the models it fits, original or "
    "third-party, new or refurbished, and what a unit costs us (internal). Send an "
    "Idempotency-Key to retry safely.",
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


@router.get(
    "/parts",
    response_model=Page[PartPublic],
    tags=["parts"],
    summary="The catalogue, by part number",
    description="Page on with `next_cursor`.",
)
async def list_parts(
    runtime: RuntimeDep,
    principal: StockReader,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    manufacturer: Annotated[Manufacturer | None, Query()] = None,
    model: Annotated[Model | None, Query(description="Fits this model")] = None,
) -> Any:
    after = part_number_after(cursor)
    async with runtime.uow() as uow:
        rows = await handlers.list_parts(
            uow, after=after, limit=limit, manufacturer=manufacturer, model=model
        )
    return page_of(
        [PartPublic.model_validate(r) for r in rows], limit, key=lambda p: (p.part_number,)
    )


@router.post(
    "/parts/{part_number:path}/reorder-points",
    response_model=ReorderPointPublic,
    tags=["parts"],
    summary="Set a part's reorder point at a location",
    description="Below this many available there, `stock.low` tells the ops team to restock, "
    "once per fall. Setting it again replaces it.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        described={404: "No such part, or no such location"},
    ),
)
async def set_reorder_point(
    part_number: PartNumber,
    body: ReorderPointSet,
    request: Request,
    runtime: RuntimeDep,
    principal: InventoryAdmin,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = SetReorderPoint(part_number, body.location_id, body.reorder_point)
    return await REORDER_POINTS(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )


class PartNumberConvertor(StringConvertor):
    """A part number in a path, "/" allowed, never ending in a route below a part."""

    regex = PART_NUMBER_IN_PATH


register_url_convertor("part_number", PartNumberConvertor())

# The routes of a part itself come after every router with routes below `/parts/{part_number}/`
# in the app, so that a request for those is never taken for a part.
part_router = api_router()


@part_router.get(
    "/parts/{part_number:part_number}",
    response_model=PartPublic,
    tags=["parts"],
    summary="A part, with its unit cost (staff only)",
    responses=problem_responses(404),
)
async def get_part(part_number: PartNumber, runtime: RuntimeDep, principal: StockReader) -> Any:
    async with runtime.uow() as uow:
        part = await handlers.get_part(uow, part_number)
    if part is None:
        raise PartNotFound(f"no part {part_number}", part_number=part_number)
    return part


@part_router.patch(
    "/parts/{part_number:part_number}",
    response_model=PartPublic,
    tags=["parts"],
    summary="Change a part",
    description="Only the fields sent change: description, models, original, condition, unit cost.",
    responses=problem_responses(*BODY_PROBLEMS, 404),
)
async def patch_part(
    part_number: PartNumber, body: PartPatch, runtime: RuntimeDep, principal: InventoryAdmin
) -> Any:
    async with runtime.uow() as uow:
        part = await handlers.update_part(uow, UpdatePart(part_number, body.fields()))
        await uow.commit()
    return part
