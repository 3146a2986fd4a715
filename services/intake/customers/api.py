"""Customers over HTTP: registered by admins, read by the call centre."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import JSONResponse

from services.intake.access import CustomerReader, CustomerWriter
from services.intake.customers import handlers
from services.intake.customers.commands import CreateCustomer
from services.intake.customers.schemas import CustomerCreate, CustomerPublic
from shared.db import UnitOfWork
from shared.http.creation import CreateEndpoint, one_at_a_time
from shared.http.idempotency import IdempotencyKey
from shared.http.problems import BODY_PROBLEMS, Problem, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()


async def _create_customer(uow: UnitOfWork, body: CustomerCreate) -> handlers.Created:
    return await handlers.create_customer(uow, CreateCustomer(name=body.name, region=body.region))


CUSTOMERS = CreateEndpoint(
    "customers",
    one_at_a_time(_create_customer),
    CustomerPublic.model_validate,
    location=lambda c: f"/v1/customers/{c['id']}",
)

_CREATE_ERRORS = problem_responses(
    *BODY_PROBLEMS,
    409,
    422,
    described={
        409: "A request with this Idempotency-Key is still in progress",
        422: "Invalid body, unknown field, or Idempotency-Key reused with another body",
    },
)


@router.post(
    "/customers",
    status_code=201,
    response_model=CustomerPublic,
    tags=["customers"],
    summary="Register a customer",
    responses=_CREATE_ERRORS,
)
async def create_customer(
    body: CustomerCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: CustomerWriter,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await CUSTOMERS(
        runtime, request, principal=principal.sub, key=idempotency_key, body=body
    )


@router.get(
    "/customers/{customer_id}",
    response_model=CustomerPublic,
    tags=["customers"],
    summary="A customer",
    responses=problem_responses(404),
)
async def get_customer(customer_id: UUID, runtime: RuntimeDep, principal: CustomerReader) -> Any:
    async with runtime.uow() as uow:
        customer = await handlers.get_customer(uow, customer_id)
    if customer is None:
        raise Problem(404, "not-found", f"no customer {customer_id}")
    return customer
