"""Webhook subscriptions, their delivery log and the mail log over HTTP.

The back office subscribes (`escalation:admin`); ops reads (`ops:read`).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Query, Request

from services.escalation.access import EscalationAdmin, EscalationReader
from services.escalation.notifications import handlers
from services.escalation.notifications.commands import ChangeWebhook, Redeliver, SubscribeWebhook
from services.escalation.notifications.schemas import (
    DeliveryPublic,
    DeliveryStatus,
    EmailPublic,
    EmailStatus,
    WebhookCreate,
    WebhookPatch,
    WebhookPublic,
)
from shared.http.commands import CommandEndpoint
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, decode_position, page_of
from shared.http.problems import BODY_PROBLEMS, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

SUBSCRIPTIONS: CommandEndpoint[SubscribeWebhook] = CommandEndpoint(
    "webhooks",
    handlers.subscribe,
    render=WebhookPublic.model_validate,
    status_code=201,
    location=lambda w: f"/v1/webhooks/{w['id']}",
)
REDELIVERIES: CommandEndpoint[Redeliver] = CommandEndpoint(
    "webhook-redeliveries",
    handlers.redeliver,
    render=DeliveryPublic.model_validate,
    status_code=202,
)

SIGNING = (
    "Each delivery is a POST of a CloudEvent in JSON, signed like Stripe's webhooks: "
    "`Fieldops-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.<body>' keyed by the "
    "secret>`. `Fieldops-Delivery` is the same on every retry of one event to one subscription "
    "(the receiver's key for doing it once), `Fieldops-Event` the event type. A 2xx delivers; "
    "anything else is retried after 30 s, 1, 2, 4 ... minutes, at most an hour apart, for 24 "
    "hours, then given up (and can be redelivered)."
)


def _page_key(row: dict[str, Any]) -> tuple[str, str]:
    return row["created_at"].isoformat(), str(row["id"])


@router.post(
    "/webhooks",
    status_code=201,
    response_model=WebhookPublic,
    tags=["notifications"],
    summary="Subscribe a URL to escalation's events",
    description=SIGNING + " The secret is never answered. Send an Idempotency-Key to retry safely.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        409,
        422,
        described={
            409: "A request with this Idempotency-Key is still in progress",
            422: "Not an http(s) URL, an event type no event has, a secret shorter than 16 "
            "characters (`field` names which), or an Idempotency-Key reused with another body",
        },
    ),
)
async def subscribe(
    body: WebhookCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: EscalationAdmin,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    command = SubscribeWebhook(
        url=body.url, events=tuple(body.events), secret=body.secret, by=principal.sub
    )
    return await SUBSCRIPTIONS(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )


@router.get(
    "/webhooks",
    response_model=Page[WebhookPublic],
    tags=["notifications"],
    summary="Webhook subscriptions, oldest first",
)
async def list_webhooks(
    runtime: RuntimeDep,
    principal: EscalationReader,
    active: bool | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Any:
    async with runtime.uow() as uow:
        webhooks = await handlers.list_webhooks(
            uow, after=decode_position(cursor), limit=limit, active=active
        )
    return page_of(webhooks, limit, key=_page_key)


@router.get(
    "/webhooks/{webhook_id}",
    response_model=WebhookPublic,
    tags=["notifications"],
    summary="A webhook subscription, with how its deliveries stand",
    responses=problem_responses(404, described={404: "No such webhook"}),
)
async def get_webhook(webhook_id: UUID, runtime: RuntimeDep, principal: EscalationReader) -> Any:
    async with runtime.uow() as uow:
        return await handlers.get_webhook(uow, webhook_id)


@router.patch(
    "/webhooks/{webhook_id}",
    response_model=WebhookPublic,
    tags=["notifications"],
    summary="Change a subscription: URL, event types, secret, active",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        422,
        described={404: "No such webhook", 422: "An invalid URL, event type or secret"},
    ),
)
async def patch_webhook(
    webhook_id: UUID, body: WebhookPatch, runtime: RuntimeDep, principal: EscalationAdmin
) -> Any:
    async with runtime.uow() as uow:
        webhook = await handlers.change(
            ChangeWebhook(webhook_id=webhook_id, changes=body.changes()), uow
        )
        await uow.commit()
    return webhook


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response_model=Page[DeliveryPublic],
    tags=["notifications"],
    summary="A subscription's delivery log, newest first, each with its attempts",
    responses=problem_responses(404, described={404: "No such webhook"}),
)
async def list_deliveries(
    webhook_id: UUID,
    runtime: RuntimeDep,
    principal: EscalationReader,
    status: DeliveryStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Any:
    async with runtime.uow() as uow:
        deliveries = await handlers.list_deliveries(
            uow,
            webhook_id,
            before=decode_position(cursor),
            limit=limit,
            status=status.value if status else None,
        )
    return page_of(deliveries, limit, key=_page_key)


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    response_model=DeliveryPublic,
    tags=["notifications"],
    summary="Send a delivery again",
    description="Queued at once with a new day of retries, under the same Fieldops-Delivery "
    "id: for a receiver that lost it, or was down for more than a day. Send an "
    "Idempotency-Key to retry safely.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        described={
            404: "No such webhook, or no such delivery of it",
            409: "The webhook is inactive, or a request with this Idempotency-Key is still in "
            "progress",
        },
    ),
)
async def redeliver(
    webhook_id: UUID,
    delivery_id: UUID,
    request: Request,
    runtime: RuntimeDep,
    principal: EscalationAdmin,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    command = Redeliver(webhook_id=webhook_id, delivery_id=delivery_id, by=principal.sub)
    return await REDELIVERIES(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command
    )


@router.get(
    "/emails",
    response_model=Page[EmailPublic],
    tags=["notifications"],
    summary="The mail log, newest first",
    description="Every e-mail decided: to the level's contacts for warnings, breaches and "
    "ladder steps, to the customer's duty contacts for advance notices. `pending` waits for "
    "its next attempt (or for an SMTP relay to be configured), `sending` is with the relay, "
    "`gave_up` failed for a day or was refused for good.",
)
async def list_emails(
    runtime: RuntimeDep,
    principal: EscalationReader,
    status: EmailStatus | None = None,
    event_id: str | None = Query(
        default=None,
        max_length=64,
        pattern=r"^[\x21-\x7e]+$",
        description="Only the e-mails about this event (its CloudEvents id)",
    ),
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Any:
    async with runtime.uow() as uow:
        emails = await handlers.list_emails(
            uow,
            before=decode_position(cursor),
            limit=limit,
            status=status.value if status else None,
            event_id=event_id,
        )
    return page_of(emails, limit, key=_page_key)
