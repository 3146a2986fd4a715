"""Stock over HTTP, for inventory admins and the ops team: goods receipt (IV-6), transfers,
adjustments, and every part's ledger and levels. Every change is a new ledger row."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Request
from fastapi.responses import JSONResponse

from services.inventory.parts.api import InventoryAdmin, PartNumber, StockReader
from services.inventory.parts.rules import PART_NUMBER
from services.inventory.stock import arrivals, handlers
from services.inventory.stock.commands import (
    AdjustStock,
    ReceiveStock,
    SignOffReceipt,
    TransferStock,
)
from services.inventory.stock.rules import ReceiptNotFound
from services.inventory.stock.schemas import (
    AdjustmentCreate,
    LocationLevel,
    MovementPublic,
    ReceiptCreate,
    ReceiptPublic,
    SignOff,
    StockLevels,
    TransferCreate,
    TransferPublic,
)
from shared.http.commands import CommandEndpoint
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import (
    DEFAULT_LIMIT,
    Cursor,
    Limit,
    Page,
    decode_position,
    decode_sequence,
    page_of,
)
from shared.http.problems import BODY_PROBLEMS, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

RECEIPTS: CommandEndpoint[ReceiveStock] = CommandEndpoint(
    "receipts",
    arrivals.receive,
    render=ReceiptPublic.model_validate,
    status_code=201,
    location=lambda r: f"/v1/receipts/{r['id']}",
)
SIGN_OFFS: CommandEndpoint[SignOffReceipt] = CommandEndpoint(
    "receipts.sign-off", handlers.sign_off, render=ReceiptPublic.model_validate
)
TRANSFERS: CommandEndpoint[TransferStock] = CommandEndpoint(
    "transfers", arrivals.transfer, render=TransferPublic.model_validate, status_code=201
)
ADJUSTMENTS: CommandEndpoint[AdjustStock] = CommandEndpoint(
    "adjustments", arrivals.adjust, render=MovementPublic.model_validate, status_code=201
)

UNKNOWN_PART_OR_LOCATION = {404: "No such part, or no such location"}


@router.post(
    "/receipts",
    status_code=201,
    response_model=ReceiptPublic,
    tags=["stock"],
    summary="Book a delivery in at a location (IV-6)",
    description="The delivery reference is received once; the inspection is due within 2 "
    "days. Send an Idempotency-Key to retry safely.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        422,
        described={
            **UNKNOWN_PART_OR_LOCATION,
            409: "This delivery reference was already received, or the Idempotency-Key is "
            "still in progress",
        },
    ),
)
async def receive_stock(
    body: ReceiptCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: InventoryAdmin,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = ReceiveStock(
        part_number=body.part_number,
        location_id=body.location_id,
        quantity=body.quantity,
        delivery_reference=body.delivery_reference,
        by=principal.sub,
    )
    return await RECEIPTS(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )


@router.get(
    "/receipts",
    response_model=Page[ReceiptPublic],
    tags=["stock"],
    summary="Deliveries received, oldest first",
    description="`overdue=true`: only those not inspected within their 2 days (IV-6).",
)
async def list_receipts(
    runtime: RuntimeDep,
    principal: StockReader,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    part_number: Annotated[str | None, Query(pattern=PART_NUMBER.pattern, max_length=64)] = None,
    location_id: UUID | None = None,
    overdue: bool = False,
) -> Any:
    position = decode_position(cursor)
    async with runtime.uow() as uow:
        rows = await handlers.list_receipts(
            uow,
            after=position,
            limit=limit,
            part_number=part_number,
            location_id=location_id,
            overdue=overdue,
        )
    return page_of(
        [ReceiptPublic.model_validate(r) for r in rows],
        limit,
        key=lambda r: (r.received_at.isoformat(), str(r.id)),
    )


@router.get(
    "/receipts/{receipt_id}",
    response_model=ReceiptPublic,
    tags=["stock"],
    summary="A delivery received, and its inspection",
    responses=problem_responses(404),
)
async def get_receipt(receipt_id: UUID, runtime: RuntimeDep, principal: StockReader) -> Any:
    async with runtime.uow() as uow:
        receipt = await handlers.get_receipt(uow, receipt_id)
    if receipt is None:
        raise ReceiptNotFound(f"no receipt {receipt_id}", receipt_id=str(receipt_id))
    return receipt


@router.post(
    "/receipts/{receipt_id}/sign-off",
    response_model=ReceiptPublic,
    tags=["stock"],
    summary="Record a delivery's inspection, signed by both parties (IV-6)",
    description="The delivery list is signed in duplicate: by us and by the customer or the "
    "carrier. Units not accepted are booked out again (an adjustment giving the notes as "
    "reason). A receipt is signed off once.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        422,
        described={
            404: "No such receipt",
            409: "Already signed off, or the rejected units are already reserved",
            422: "More accepted than received, or an invalid body",
        },
    ),
)
async def sign_off_receipt(
    receipt_id: UUID,
    body: SignOff,
    request: Request,
    runtime: RuntimeDep,
    principal: InventoryAdmin,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = SignOffReceipt(
        receipt_id=receipt_id,
        accepted_quantity=body.accepted_quantity,
        signed_by_us=body.signed_by_us,
        signed_by_counterparty=body.signed_by_counterparty,
        counterparty=body.counterparty,
        notes=body.notes,
        by=principal.sub,
    )
    return await SIGN_OFFS(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )


@router.post(
    "/transfers",
    status_code=201,
    response_model=TransferPublic,
    tags=["stock"],
    summary="Move stock from one location to another",
    description="Books a transfer out at the source and a transfer in at the destination, "
    "both referencing the transfer's id.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        422,
        described={
            **UNKNOWN_PART_OR_LOCATION,
            409: "More than is available at the source, or the Idempotency-Key is still in "
            "progress",
        },
    ),
)
async def transfer_stock(
    body: TransferCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: InventoryAdmin,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = TransferStock(
        part_number=body.part_number,
        from_location_id=body.from_location_id,
        to_location_id=body.to_location_id,
        quantity=body.quantity,
        by=principal.sub,
    )
    return await TRANSFERS(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )


@router.post(
    "/adjustments",
    status_code=201,
    response_model=MovementPublic,
    tags=["stock"],
    summary="Correct a location's count, with a reason",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        422,
        described={
            **UNKNOWN_PART_OR_LOCATION,
            409: "Down below what is reserved there, or the Idempotency-Key is still in progress",
        },
    ),
)
async def adjust_stock(
    body: AdjustmentCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: InventoryAdmin,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = AdjustStock(
        part_number=body.part_number,
        location_id=body.location_id,
        quantity=body.quantity,
        reason=body.reason,
        by=principal.sub,
    )
    return await ADJUSTMENTS(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )


@router.get(
    "/parts/{part_number:path}/ledger",
    response_model=Page[MovementPublic],
    tags=["stock"],
    summary="A part's stock movements, in the order they were booked",
    description="Each row carries the balance at its location after it. Page on with "
    "`next_cursor`; new movements are appended, so a saved cursor picks up what came since.",
    responses=problem_responses(404),
)
async def part_ledger(
    part_number: PartNumber,
    runtime: RuntimeDep,
    principal: StockReader,
    location_id: UUID | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Any:
    after = decode_sequence(cursor)
    async with runtime.uow() as uow:
        rows = await handlers.ledger(
            uow, part_number, location_id=location_id, after_seq=after, limit=limit + 1
        )
    return page_of([MovementPublic.model_validate(r) for r in rows], limit, key=lambda m: (m.seq,))


@router.get(
    "/parts/{part_number:path}/stock",
    response_model=StockLevels,
    tags=["stock"],
    summary="A part's stock at every location it was ever at, and in total",
    responses=problem_responses(404),
)
async def part_stock(part_number: PartNumber, runtime: RuntimeDep, principal: StockReader) -> Any:
    async with runtime.uow() as uow:
        levels = await handlers.part_levels(uow, part_number)
    locations = [
        LocationLevel(
            location_id=level.location_id,
            name=level.location_name,
            on_hand=level.balance.on_hand,
            reserved=level.balance.reserved,
            available=level.available,
        )
        for level in levels
    ]
    return StockLevels(
        part_number=part_number,
        on_hand=sum(level.on_hand for level in locations),
        reserved=sum(level.reserved for level in locations),
        available=sum(level.available for level in locations),
        locations=locations,
    )
