"""The installed base over HTTP: body -> command -> handler, and the answer back."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Request
from fastapi.responses import JSONResponse

from services.intake.access import Admin, TicketReader
from services.intake.assets import handlers
from services.intake.assets.commands import RegisterAsset, UpdateAsset
from services.intake.assets.schemas import AssetCreate, AssetPatch, AssetPublic, Serial
from shared.db import UnitOfWork
from shared.http.creation import Created, CreateEndpoint, one_at_a_time
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, decode_position, page_of
from shared.http.problems import BODY_PROBLEMS, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()


async def _register(uow: UnitOfWork, body: AssetCreate) -> Created:
    asset, events = await handlers.register_asset(uow, RegisterAsset(**body.model_dump()))
    return asdict(asset), list(events)


ASSETS = CreateEndpoint(
    "assets",
    one_at_a_time(_register),
    AssetPublic.model_validate,
    location=lambda a: f"/v1/assets/{a['id']}",
)


@router.post(
    "/assets",
    status_code=201,
    response_model=AssetPublic,
    tags=["assets"],
    summary="Register an installed asset",
    responses=problem_responses(
        *BODY_PROBLEMS,
        409,
        422,
        described={
            409: "This manufacturer's serial is registered already, or a request with this "
            "Idempotency-Key is still in progress",
            422: "Invalid body; an unknown customer, site or contract, or another customer's site or "
            "contract (`field` names it); warranty ending before acceptance; or Idempotency-Key "
            "reused with another body",
        },
    ),
    description="The installed base (IN-10): what a ticket by serial finds its customer, site and "
    "contract by. Send an Idempotency-Key to retry safely.",
)
async def create_asset(
    body: AssetCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: Admin,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await ASSETS(runtime, request, principal=principal.sub, key=idempotency_key, body=body)


@router.get(
    "/assets/{asset_id}",
    response_model=AssetPublic,
    tags=["assets"],
    summary="An asset",
    responses=problem_responses(404),
)
async def get_asset(asset_id: UUID, runtime: RuntimeDep, principal: TicketReader) -> Any:
    async with runtime.uow() as uow:
        return asdict(await handlers.get_asset(uow, asset_id))


@router.get(
    "/assets", response_model=Page[AssetPublic], tags=["assets"], summary="Assets, oldest first"
)
async def list_assets(
    runtime: RuntimeDep,
    principal: TicketReader,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    customer_id: Annotated[UUID | None, Query(description="Only this customer's")] = None,
    site_id: Annotated[UUID | None, Query(description="Only those at this site")] = None,
    serial: Annotated[
        Serial | None, Query(description="Every manufacturer's asset with this serial")
    ] = None,
) -> Any:
    after = decode_position(cursor)
    async with runtime.uow() as uow:
        assets = await handlers.list_assets(
            uow, customer_id=customer_id, site_id=site_id, serial=serial, after=after, limit=limit
        )
    return page_of(
        [asdict(a) for a in assets],
        limit,
        key=lambda a: (a["created_at"].isoformat(), str(a["id"])),
    )


@router.patch(
    "/assets/{asset_id}",
    response_model=AssetPublic,
    tags=["assets"],
    summary="Change an asset",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        422,
        described={
            422: "Invalid body; an unknown or another customer's site or contract; warranty ending "
            "before acceptance"
        },
    ),
    description="Moves to another site or contract of the same customer, a corrected model or dates.",
)
async def patch_asset(
    asset_id: UUID, body: AssetPatch, runtime: RuntimeDep, principal: Admin
) -> Any:
    async with runtime.uow() as uow:
        asset = await handlers.update_asset(
            uow, UpdateAsset(asset_id=asset_id, changes=body.changes())
        )
        await uow.commit()
    return asdict(asset)
