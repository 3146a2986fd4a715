"""Inventory's HTTP API: the parts catalogue, stock receipts, and availability for vendors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Request, Security

from services.inventory import domain, handlers
from services.inventory.schemas import (
    Availability,
    PartCreate,
    PartPublic,
    ReceiptCreate,
    ReceiptPublic,
    StockReceipt,
    WarehouseAvailability,
)
from shared.auth import Principal, authenticate
from shared.http.creation import CreateEndpoint, one_at_a_time
from shared.http.idempotency import IdempotencyKey
from shared.http.problems import BODY_PROBLEMS, Problem, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

InventoryAdmin = Annotated[Principal, Security(authenticate, scopes=["inventory:admin"])]
PartsReader = Annotated[Principal, Security(authenticate, scopes=["parts:read", "inventory:admin", "ops:read"])]
# A part number may hold "/" (PART_NUMBER), so its routes take it as a `:path`.
PartNumber = Annotated[str, Path(pattern=domain.PART_NUMBER.pattern, max_length=64)]

PARTS = CreateEndpoint("parts", one_at_a_time(handlers.register_part), PartPublic.model_validate,
                       location=lambda p: f"/v1/parts/{p['part_number']}/availability")
RECEIPTS = CreateEndpoint("receipts", one_at_a_time(handlers.receive_stock), ReceiptPublic.model_validate)


@router.post("/parts", status_code=201, response_model=PartPublic, tags=["parts"], summary="Register a part",
             responses=problem_responses(*BODY_PROBLEMS, 409, described={
                 409: "Part number already registered, or its Idempotency-Key still in progress"}))
async def register_part(body: PartCreate, request: Request, runtime: RuntimeDep, principal: InventoryAdmin,
                        idempotency_key: IdempotencyKey = None) -> Any:
    return await PARTS(runtime, request, principal=principal.sub, key=idempotency_key, body=body)


@router.post("/parts/{part_number:path}/receipts", status_code=201, response_model=ReceiptPublic, tags=["parts"],
             summary="Book a delivery into a warehouse (IV-6)", responses=problem_responses(*BODY_PROBLEMS, 404, 409, described={
                 404: "No such part", 409: "A request with this Idempotency-Key is still in progress"}))
async def receive_stock(part_number: PartNumber, body: ReceiptCreate, request: Request, runtime: RuntimeDep,
                        principal: InventoryAdmin, idempotency_key: IdempotencyKey = None) -> Any:
    receipt = StockReceipt(part_number=part_number, **body.model_dump())
    return await RECEIPTS(runtime, request, principal=principal.sub, key=idempotency_key, body=receipt)


@router.get("/parts/{part_number:path}/availability", response_model=Availability, tags=["parts"],
            summary="How many of a part can be had now (IV-7)",
            description="Partner vendors see only their own parts; no costs, no customers.",
            responses=problem_responses(404, described={404: "No such part (or not this vendor's)"}))
async def availability(part_number: PartNumber, runtime: RuntimeDep, principal: PartsReader) -> Any:
    async with runtime.uow() as uow:
        vendor = await handlers.part_vendor(uow, part_number)
        visible = vendor is not None and domain.may_see(
            vendor, vendor=principal.vendor, is_staff=principal.has_any("inventory:admin", "ops:read"))
        levels = await handlers.stock_levels(uow, part_number) if visible else []
    if not visible:
        raise Problem(404, "not-found", f"no part {part_number}")
    return Availability(
        part_number=part_number,
        available=domain.total_available(levels),
        warehouses=[WarehouseAvailability(warehouse=s.warehouse, available=s.available) for s in levels],
    )
