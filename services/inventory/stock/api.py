"""Stock over HTTP: receipts for inventory admins, availability for partner vendors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Request, Security

from services.inventory.parts import handlers as parts
from services.inventory.parts.api import InventoryAdmin, PartNumber
from services.inventory.stock import handlers
from services.inventory.stock.commands import ReceiveStock
from services.inventory.stock.ledger import total_available
from services.inventory.stock.schemas import (
    Availability,
    ReceiptCreate,
    ReceiptPublic,
    StockReceipt,
    WarehouseAvailability,
)
from shared.auth import Principal, authenticate
from shared.db import UnitOfWork
from shared.http.creation import CreateEndpoint, one_at_a_time
from shared.http.idempotency import IdempotencyKey
from shared.http.problems import BODY_PROBLEMS, Problem, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

PartsReader = Annotated[
    Principal, Security(authenticate, scopes=["parts:read", "inventory:admin", "ops:read"])
]


async def _receive(uow: UnitOfWork, body: StockReceipt) -> handlers.Created:
    return await handlers.receive_stock(
        uow,
        ReceiveStock(
            part_number=body.part_number, warehouse=body.warehouse, quantity=body.quantity
        ),
    )


RECEIPTS = CreateEndpoint("receipts", one_at_a_time(_receive), ReceiptPublic.model_validate)


@router.post(
    "/parts/{part_number:path}/receipts",
    status_code=201,
    response_model=ReceiptPublic,
    tags=["parts"],
    summary="Book a delivery into a warehouse (IV-6)",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        described={
            404: "No such part",
            409: "A request with this Idempotency-Key is still in progress",
        },
    ),
)
async def receive_stock(
    part_number: PartNumber,
    body: ReceiptCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: InventoryAdmin,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    receipt = StockReceipt(part_number=part_number, **body.model_dump())
    return await RECEIPTS(
        runtime, request, principal=principal.sub, key=idempotency_key, body=receipt
    )


@router.get(
    "/parts/{part_number:path}/availability",
    response_model=Availability,
    tags=["parts"],
    summary="How many of a part can be had now (IV-7)",
    description="Partner vendors see only their own parts; no costs, no customers.",
    responses=problem_responses(404, described={404: "No such part (or not this vendor's)"}),
)
async def availability(part_number: PartNumber, runtime: RuntimeDep, principal: PartsReader) -> Any:
    async with runtime.uow() as uow:
        vendor = await parts.visible_vendor(
            uow,
            part_number,
            vendor=principal.vendor,
            is_staff=principal.has_any("inventory:admin", "ops:read"),
        )
        levels = await handlers.stock_levels(uow, part_number) if vendor is not None else []
    if vendor is None:
        raise Problem(404, "not-found", f"no part {part_number}")
    return Availability(
        part_number=part_number,
        available=total_available(levels),
        warehouses=[
            WarehouseAvailability(warehouse=s.warehouse, available=s.available) for s in levels
        ],
    )
