"""Duty contacts over HTTP: listed under their customer, changed by their own id."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.intake.access import CustomerReader, CustomerWriter
from services.intake.contacts import handlers
from services.intake.contacts.commands import AddContact, RemoveContact, UpdateContact
from services.intake.contacts.schemas import ContactCreate, ContactPatch, ContactPublic
from shared.db import UnitOfWork
from shared.http.creation import Created, CreateEndpoint, one_at_a_time
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, decode_position, page_of
from shared.http.problems import BODY_PROBLEMS, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

# Call-centre software syncing its CRM gets `customers:write` once shared/auth.py has it.


class _ContactFor(BaseModel):
    """The body with the customer of the path: what the create batch works on."""

    customer_id: UUID
    contact: ContactCreate


async def _add(uow: UnitOfWork, request: _ContactFor) -> Created:
    body = request.contact
    contact = await handlers.add_contact(
        uow,
        AddContact(
            customer_id=request.customer_id,
            name=body.name,
            phone=body.phone,
            email=body.email,
            role=body.role,
        ),
    )
    return asdict(contact), []


CONTACTS: CreateEndpoint[_ContactFor] = CreateEndpoint(
    "contacts",
    one_at_a_time(_add),
    ContactPublic.model_validate,
    location=lambda c: f"/v1/contacts/{c['id']}",
)


@router.post(
    "/customers/{customer_id}/contacts",
    status_code=201,
    response_model=ContactPublic,
    tags=["contacts"],
    summary="Add a duty contact",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        422,
        described={
            404: "No such customer",
            409: "IN-11: the roster holds a primary already, or two secondaries already; "
            "or a request with this Idempotency-Key is still in progress",
            422: "Invalid body, or Idempotency-Key reused with another body",
        },
    ),
    description="IN-11: one primary and up to two secondary contacts per customer, for 7x24 phone "
    "support. Send an Idempotency-Key to retry safely.",
)
async def add_contact(
    customer_id: UUID,
    body: ContactCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: CustomerWriter,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await CONTACTS(
        runtime,
        request,
        principal=principal.sub,
        key=idempotency_key,
        body=_ContactFor(customer_id=customer_id, contact=body),
    )


@router.get(
    "/customers/{customer_id}/contacts",
    response_model=Page[ContactPublic],
    tags=["contacts"],
    summary="A customer's duty contacts, oldest first",
    responses=problem_responses(404),
)
async def list_contacts(
    customer_id: UUID,
    runtime: RuntimeDep,
    principal: CustomerReader,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Any:
    after = decode_position(cursor)
    async with runtime.uow() as uow:
        contacts = await handlers.list_contacts(uow, customer_id, after=after, limit=limit)
    return page_of(
        [asdict(c) for c in contacts],
        limit,
        key=lambda c: (c["created_at"].isoformat(), str(c["id"])),
    )


@router.get(
    "/contacts/{contact_id}",
    response_model=ContactPublic,
    tags=["contacts"],
    summary="A duty contact",
    responses=problem_responses(404),
)
async def get_contact(contact_id: UUID, runtime: RuntimeDep, principal: CustomerReader) -> Any:
    async with runtime.uow() as uow:
        return asdict(await handlers.get_contact(uow, contact_id))


@router.patch(
    "/contacts/{contact_id}",
    response_model=ContactPublic,
    tags=["contacts"],
    summary="Change a duty contact",
    responses=problem_responses(
        *BODY_PROBLEMS, 404, 409, described={409: "IN-11: the new role does not fit the roster"}
    ),
)
async def patch_contact(
    contact_id: UUID, body: ContactPatch, runtime: RuntimeDep, principal: CustomerWriter
) -> Any:
    async with runtime.uow() as uow:
        contact = await handlers.update_contact(
            uow, UpdateContact(contact_id=contact_id, changes=body.changes())
        )
        await uow.commit()
    return asdict(contact)


@router.delete(
    "/contacts/{contact_id}",
    status_code=204,
    response_class=Response,
    tags=["contacts"],
    summary="Remove a duty contact",
    responses=problem_responses(404),
)
async def remove_contact(
    contact_id: UUID, runtime: RuntimeDep, principal: CustomerWriter
) -> Response:
    async with runtime.uow() as uow:
        await handlers.remove_contact(uow, RemoveContact(contact_id=contact_id))
        await uow.commit()
    return Response(status_code=204)
