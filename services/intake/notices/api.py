"""IN-9 / IV-5 over HTTP: admins record a manufacturer's advisory; the centre and ops see the notices."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request

from services.intake.access import Admin, TicketReader
from services.intake.notices import handlers
from services.intake.notices.commands import PublishAdvisory
from services.intake.notices.rules import NoticeStatus
from services.intake.notices.schemas import AdvisoryCreate, AdvisoryPublic, NoticePublic
from shared.http.commands import CommandEndpoint
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, decode_position, page_of
from shared.http.problems import BODY_PROBLEMS, Problem, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

ADVISORIES: CommandEndpoint[PublishAdvisory] = CommandEndpoint(
    "advisories",
    handlers.publish_advisory,
    render=AdvisoryPublic.model_validate,
    status_code=201,
    location=lambda a: f"/v1/advisories/{a['id']}",
)


@router.post(
    "/advisories",
    status_code=201,
    response_model=AdvisoryPublic,
    tags=["notices"],
    summary="Record a manufacturer's advisory and notify the customers it affects",
    responses=problem_responses(
        *BODY_PROBLEMS,
        409,
        described={409: "This manufacturer's advisory reference is recorded already"},
    ),
    description="IN-9: one notice per customer owning an asset of an affected model, with its "
    "serials and duty contacts. Send-by: critical at once, major within 1 day, minor within 7 "
    "days; notice.due is emitted then.",
)
async def create_advisory(
    body: AdvisoryCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: Admin,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    command = PublishAdvisory(
        manufacturer=body.manufacturer,
        models=tuple(dict.fromkeys(body.models)),
        firmware_from=body.firmware_from,
        firmware_to=body.firmware_to,
        text=body.text,
        severity=body.severity,
        reference=body.reference,
        by=principal.sub,
    )
    return await ADVISORIES(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )


@router.get(
    "/advisories/{advisory_id}",
    response_model=AdvisoryPublic,
    tags=["notices"],
    summary="An advisory",
    responses=problem_responses(404, described={404: "No such advisory"}),
)
async def get_advisory(advisory_id: UUID, runtime: RuntimeDep, principal: TicketReader) -> Any:
    async with runtime.uow() as uow:
        advisory = await handlers.get_advisory(uow, advisory_id)
    if advisory is None:
        raise Problem(404, "not-found", f"no advisory {advisory_id}")
    return advisory


@router.get(
    "/notices",
    response_model=Page[NoticePublic],
    tags=["notices"],
    summary="Advance notices, oldest first",
    description="IN-9 / IV-5: `pending` notices wait for their send-by time; `due` ones have been "
    "handed on (notice.due) for delivery.",
)
async def list_notices(
    runtime: RuntimeDep,
    principal: TicketReader,
    status: NoticeStatus | None = None,
    customer_id: UUID | None = None,
    advisory_id: UUID | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Any:
    async with runtime.uow() as uow:
        notices = await handlers.list_notices(
            uow,
            after=decode_position(cursor),
            limit=limit,
            status=status,
            customer_id=customer_id,
            advisory_id=advisory_id,
        )
    return page_of(notices, limit, key=lambda n: (n["created_at"].isoformat(), str(n["id"])))
