"""Sites over HTTP: body -> command -> handler, and the answer back."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Request
from fastapi.responses import JSONResponse

from services.intake.access import CustomerReader, CustomerWriter
from services.intake.sites import handlers
from services.intake.sites.commands import RegisterSite, UpdateSite
from services.intake.sites.schemas import SiteCreate, SitePatch, SitePublic
from shared.db import UnitOfWork
from shared.http.creation import Created, CreateEndpoint, one_at_a_time
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, decode_position, page_of
from shared.http.problems import BODY_PROBLEMS, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

# Call-centre software syncing its CRM gets `customers:write` once shared/auth.py has it.


async def _register(uow: UnitOfWork, body: SiteCreate) -> Created:
    site, events = await handlers.register_site(uow, RegisterSite(**body.model_dump()))
    return asdict(site), list(events)


SITES = CreateEndpoint(
    "sites",
    one_at_a_time(_register),
    SitePublic.model_validate,
    location=lambda s: f"/v1/sites/{s['id']}",
)

_CREATE_ERRORS = problem_responses(
    *BODY_PROBLEMS,
    409,
    422,
    described={
        409: "A request with this Idempotency-Key is still in progress",
        422: "Invalid body, unknown customer (`field` names it), or Idempotency-Key reused with another body",
    },
)


@router.post(
    "/sites",
    status_code=201,
    response_model=SitePublic,
    tags=["sites"],
    summary="Register a site",
    responses=_CREATE_ERRORS,
    description="A place where a customer's equipment stands: dispatch plans travel to it and "
    "inventory finds the nearest stock. Send an Idempotency-Key to retry safely.",
)
async def create_site(
    body: SiteCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: CustomerWriter,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await SITES(runtime, request, principal=principal.sub, key=idempotency_key, body=body)


@router.get(
    "/sites/{site_id}",
    response_model=SitePublic,
    tags=["sites"],
    summary="A site",
    responses=problem_responses(404),
)
async def get_site(site_id: UUID, runtime: RuntimeDep, principal: CustomerReader) -> Any:
    async with runtime.uow() as uow:
        return asdict(await handlers.get_site(uow, site_id))


@router.get(
    "/sites", response_model=Page[SitePublic], tags=["sites"], summary="Sites, oldest first"
)
async def list_sites(
    runtime: RuntimeDep,
    principal: CustomerReader,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    customer_id: Annotated[UUID | None, Query(description="Only this customer's")] = None,
) -> Any:
    after = decode_position(cursor)
    async with runtime.uow() as uow:
        sites = await handlers.list_sites(uow, customer_id=customer_id, after=after, limit=limit)
    return page_of(
        [asdict(s) for s in sites], limit, key=lambda s: (s["created_at"].isoformat(), str(s["id"]))
    )


@router.patch(
    "/sites/{site_id}",
    response_model=SitePublic,
    tags=["sites"],
    summary="Change a site",
    responses=problem_responses(*BODY_PROBLEMS, 404),
    description="Only the fields sent change; `site.updated` carries the whole new site.",
)
async def patch_site(
    site_id: UUID, body: SitePatch, runtime: RuntimeDep, principal: CustomerWriter
) -> Any:
    async with runtime.uow() as uow:
        site = await handlers.update_site(uow, UpdateSite(site_id=site_id, changes=body.changes()))
        await uow.commit()
    return asdict(site)
