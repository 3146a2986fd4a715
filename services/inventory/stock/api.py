"""Stock over HTTP: receipts for inventory admins."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from services.inventory.parts.api import InventoryAdmin, PartNumber
from services.inventory.stock import handlers
from services.inventory.stock.commands import ReceiveStock
from services.inventory.stock.schemas import ReceiptCreate, ReceiptPublic, StockReceipt
from shared.db import UnitOfWork
from shared.http.creation import CreateEndpoint, one_at_a_time
from shared.http.idempotency import IdempotencyKey
from shared.http.problems import BODY_PROBLEMS, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()


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
