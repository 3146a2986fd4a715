"""Notifications: subscriptions managed, events turned into deliveries and e-mails, and what the
senders did recorded.

Glue only: load (store), decide (rules), save (store). They run inside a unit of work and never
commit. An event to notify becomes rows in the consumer's own transaction - one delivery per
matching subscription, one e-mail per recipient - so an event handled is an event that will be
sent, and a redelivered event adds nothing. The senders (timer.py) take it from there.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, timedelta, tzinfo
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from services.escalation.notifications import rules, store
from services.escalation.notifications.commands import (
    ChangeWebhook,
    ClaimDue,
    Redeliver,
    SubscribeWebhook,
)
from services.escalation.notifications.outbound import MailOutcome, WebhookOutcome
from services.escalation.notifications.rules import Context
from shared import businesstime
from shared.db import UnitOfWork
from shared.errors import Conflict, NotFound
from shared.events.base import Event
from shared.events.envelope import SPECVERSION, Envelope
from shared.events.escalation import (
    EscalationRaised,
)
from shared.events.intake import (
    ContractEvent,
    ContractRegistered,
    ContractUpdated,
    LadderContact,
    NoticeDue,
    TicketCreated,
)
from shared.observability import log_fields

log = logging.getLogger(__name__)

SUBSCRIBABLE = rules.NOTIFIED_TYPES


class WebhookNotFound(NotFound):
    title = "Webhook not found"

    def __init__(self, webhook_id: UUID) -> None:
        super().__init__(f"no webhook {webhook_id}", webhook_id=str(webhook_id))


class DeliveryNotFound(NotFound):
    title = "Delivery not found"

    def __init__(self, webhook_id: UUID, delivery_id: UUID) -> None:
        super().__init__(
            f"webhook {webhook_id} has no delivery {delivery_id}", delivery_id=str(delivery_id)
        )


class WebhookInactive(Conflict):
    title = "Webhook inactive"

    def __init__(self, webhook_id: UUID) -> None:
        super().__init__(
            f"webhook {webhook_id} is inactive: activate it (PATCH active=true) to redeliver",
            webhook_id=str(webhook_id),
        )


# --- subscriptions --------------------------------------------------------------------------


async def subscribe(command: SubscribeWebhook, uow: UnitOfWork) -> dict[str, Any]:
    webhook = await store.insert_webhook(
        uow.conn,
        {
            "id": uuid.uuid4(),
            "url": rules.validate_url(command.url),
            "events": rules.validate_event_types(command.events, SUBSCRIBABLE),
            "secret": rules.validate_secret(command.secret),
            "created_at": uow.now,
            "created_by": command.by,
        },
    )
    return {**webhook, "deliveries": {}}


async def change(command: ChangeWebhook, uow: UnitOfWork) -> dict[str, Any]:
    webhook = await store.lock_webhook(uow.conn, command.webhook_id)
    if webhook is None:
        raise WebhookNotFound(command.webhook_id)
    changes = command.changes
    if "url" in changes:
        webhook["url"] = rules.validate_url(changes["url"])
    if "events" in changes:
        webhook["events"] = rules.validate_event_types(changes["events"], SUBSCRIBABLE)
    if "secret" in changes:
        webhook["secret"] = rules.validate_secret(changes["secret"])
    if "active" in changes:
        webhook["active"] = bool(changes["active"])
    updated = await store.update_webhook(uow.conn, webhook, uow.now)
    return {**updated, "deliveries": await store.delivery_counts(uow.conn, command.webhook_id)}


async def get_webhook(uow: UnitOfWork, webhook_id: UUID) -> dict[str, Any]:
    webhook = await store.get_webhook(uow.conn, webhook_id)
    if webhook is None:
        raise WebhookNotFound(webhook_id)
    return {**webhook, "deliveries": await store.delivery_counts(uow.conn, webhook_id)}


async def list_webhooks(
    uow: UnitOfWork, *, after: Any, limit: int, active: bool | None
) -> list[dict[str, Any]]:
    return await store.page_webhooks(uow.conn, after=after, limit=limit, active=active)


# --- deliveries -----------------------------------------------------------------------------


async def redeliver(command: Redeliver, uow: UnitOfWork) -> dict[str, Any]:
    """Due at once, with a new day of retries; the delivery id stays, so a receiver that did get
    it the first time recognises it."""
    webhook = await store.get_webhook(uow.conn, command.webhook_id)
    if webhook is None:
        raise WebhookNotFound(command.webhook_id)
    if not webhook["active"]:
        raise WebhookInactive(command.webhook_id)
    delivery = await store.redeliver(uow.conn, command.webhook_id, command.delivery_id, uow.now)
    if delivery is None:
        raise DeliveryNotFound(command.webhook_id, command.delivery_id)
    log.info(
        "delivery queued again by hand",
        extra=log_fields(delivery_id=str(command.delivery_id), by=command.by),
    )
    [shown] = await _with_attempts(uow, [delivery])
    return shown


async def list_deliveries(
    uow: UnitOfWork, webhook_id: UUID, *, before: Any, limit: int, status: str | None
) -> list[dict[str, Any]]:
    if await store.get_webhook(uow.conn, webhook_id) is None:
        raise WebhookNotFound(webhook_id)
    deliveries = await store.page_deliveries(
        uow.conn, webhook_id, before=before, limit=limit, status=status
    )
    return await _with_attempts(uow, deliveries)


async def _with_attempts(uow: UnitOfWork, deliveries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    log_of: dict[UUID, list[dict[str, Any]]] = {d["id"]: [] for d in deliveries}
    for attempt in await store.attempts_of(uow.conn, log_of):
        log_of[attempt["delivery_id"]].append(attempt)
    return [
        {
            **{k: v for k, v in d.items() if k not in ("body", "attempts")},
            "payload": json.loads(d["body"]),
            "attempts_this_round": d["attempts"],
            "attempts": log_of[d["id"]],
        }
        for d in deliveries
    ]


async def claim_deliveries(command: ClaimDue, uow: UnitOfWork) -> list[dict[str, Any]]:
    lease_until = uow.now + timedelta(seconds=command.lease_s)
    return await store.claim_deliveries(uow.conn, uow.now, lease_until, command.limit)


async def record_delivery(
    uow: UnitOfWork, claimed: dict[str, Any], outcome: WebhookOutcome
) -> None:
    """The attempt logged; delivered on a 2xx, else tried again after the back-off, or given up
    a day after the round's first attempt."""
    await store.log_attempt(
        uow.conn,
        {
            "id": uuid.uuid4(),
            "delivery_id": claimed["id"],
            "attempted_at": uow.now,
            "status_code": outcome.status_code,
            "error": outcome.error,
            "duration_ms": outcome.duration_ms,
        },
    )
    if rules.delivered(outcome.status_code):
        await store.mark_delivered(uow.conn, claimed["id"], uow.now, outcome.status_code)
        return
    retry_at = rules.next_attempt_at(
        claimed["first_attempt_at"], claimed["attempts"], uow.now, outcome.retry_after
    )
    if retry_at is None:
        log.warning(
            "webhook delivery given up after a day of retries",
            extra=log_fields(
                delivery_id=str(claimed["id"]), url=claimed["url"], error=outcome.error
            ),
        )
    await store.mark_failed(
        uow.conn,
        claimed["id"],
        lease_until=claimed["lease_until"],
        next_attempt_at=retry_at,
        status_code=outcome.status_code,
        error=outcome.error,
    )


# --- e-mail ---------------------------------------------------------------------------------


async def list_emails(
    uow: UnitOfWork, *, before: Any, limit: int, status: str | None, event_id: str | None
) -> list[dict[str, Any]]:
    return await store.page_emails(
        uow.conn, before=before, limit=limit, status=status, event_id=event_id
    )


async def claim_emails(command: ClaimDue, uow: UnitOfWork) -> list[dict[str, Any]]:
    lease_until = uow.now + timedelta(seconds=command.lease_s)
    return await store.claim_emails(uow.conn, uow.now, lease_until, command.limit)


async def record_email(uow: UnitOfWork, claimed: dict[str, Any], outcome: MailOutcome) -> None:
    if outcome.sent:
        await store.mark_sent(uow.conn, claimed["id"], uow.now)
        return
    retry_at = (
        None
        if outcome.permanent
        else rules.next_attempt_at(claimed["first_attempt_at"], claimed["attempts"], uow.now)
    )
    if retry_at is None:
        log.warning(
            "e-mail given up",
            extra=log_fields(email_id=str(claimed["id"]), error=outcome.error),
        )
    await store.mark_not_sent(
        uow.conn,
        claimed["id"],
        lease_until=claimed["lease_until"],
        next_attempt_at=retry_at,
        error=outcome.error or "not sent",
    )


# --- events in ------------------------------------------------------------------------------


async def notify(event: Event, envelope: Envelope, uow: UnitOfWork) -> None:
    """One delivery per active subscription to the type, one e-mail per recipient."""
    if isinstance(event, EscalationRaised):
        await store.raise_level(uow.conn, event.ticket_id, event.level)
    await _queue_deliveries(event, envelope, uow)
    await _queue_emails(event, envelope, uow)


async def _queue_deliveries(event: Event, envelope: Envelope, uow: UnitOfWork) -> None:
    webhooks = [
        webhook_id
        for webhook_id, patterns in await store.active_webhooks(uow.conn)
        if rules.subscribed(patterns, event.type)
    ]
    if not webhooks:
        return
    await store.insert_deliveries(
        uow.conn,
        [(rules.delivery_id(envelope.id, w), w) for w in webhooks],
        event_id=envelope.id,
        event_type=event.type,
        body=webhook_body(event, envelope),
        at=uow.now,
    )


def webhook_body(event: Event, envelope: Envelope) -> bytes:
    """The event as a structured-mode CloudEvent: its id (the broker's), type, time and data in
    the newest version we read, so receivers of old and new events parse one shape."""
    document = {
        "specversion": SPECVERSION,
        "id": envelope.id,
        "source": envelope.source,
        "type": event.type,
        "subject": envelope.subject,
        "time": envelope.time.isoformat(),
        "dataschema": f"urn:fieldops:event:{event.type}:v{event.version}",
        "datacontenttype": "application/json",
        "data": event.model_dump(mode="json"),
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


async def _queue_emails(event: Event, envelope: Envelope, uow: UnitOfWork) -> None:
    context = await _context(event, uow)
    recipients = rules.recipients_for(event, context.contacts, context.level)
    if not recipients:
        return
    message = rules.render(event, context)
    await store.insert_emails(
        uow.conn,
        [(rules.dedupe_key(envelope.id, r.email), r.email, r.name, r.why) for r in recipients],
        event_id=envelope.id,
        event_type=event.type,
        subject=message.subject,
        body=message.body,
        at=uow.now,
    )


async def _context(event: Event, uow: UnitOfWork) -> Context:
    """What the e-mail needs and the event does not carry: the ticket's number and level, its
    contract's ladder and time zone. A notice brings its own contacts."""
    if isinstance(event, NoticeDue):
        return Context()
    ticket_id = getattr(event, "ticket_id", None)
    row = await store.ticket_context(uow.conn, ticket_id) if ticket_id is not None else None
    row = row or {}
    contacts = _ladder(row.get("ladder"))
    level = int(row.get("level") or 0)
    if isinstance(event, EscalationRaised):
        level = event.level
        contacts = _with_named_contact(contacts, event)
    return Context(
        timezone=_zone(row.get("calendar")),
        ticket_number=row.get("number"),
        level=level,
        contacts=contacts,
    )


def _ladder(stored: object) -> tuple[LadderContact, ...]:
    if not isinstance(stored, list):
        return ()
    return tuple(LadderContact.model_validate(contact) for contact in stored)


def _with_named_contact(
    contacts: Sequence[LadderContact], event: EscalationRaised
) -> tuple[LadderContact, ...]:
    """The contract's contacts, and the one the ladder named as having to act when the contract
    gives no address at that level (or is not known here)."""
    if event.contact is None or any(c.level == event.level and c.email for c in contacts):
        return tuple(contacts)
    try:
        named = LadderContact.model_validate({**event.contact, "level": event.level})
    except ValidationError:
        return tuple(contacts)
    return (*contacts, named)


def _zone(calendar: object) -> tzinfo:
    """Times in an e-mail read in the contract's calendar's zone; UTC, and says so, when the
    calendar is not one known here."""
    if not isinstance(calendar, str):
        return UTC
    try:
        return businesstime.calendar(calendar).timezone
    except businesstime.UnknownCalendar:
        return UTC


# --- read models: fed by the handlers of contract.* and ticket.created ----------------------


async def remember_contract(uow: UnitOfWork, event: ContractEvent) -> None:
    """Whom each ladder level of the contract writes to, and the calendar its times read in."""
    if isinstance(event, ContractUpdated):
        as_of = event.updated_at
    elif isinstance(event, ContractRegistered):
        as_of = event.registered_at
    else:
        raise TypeError(f"{event.type} is not a contract's registration or update")
    await store.remember_contract(
        uow.conn,
        event.contract_id,
        calendar=event.calendar,
        ladder=[contact.model_dump(mode="json") for contact in event.ladder],
        as_of=as_of,
    )


async def remember_ticket(uow: UnitOfWork, event: TicketCreated) -> None:
    """The ticket's number for subjects, and its contract for whom to write to."""
    await store.remember_ticket(
        uow.conn, event.ticket_id, number=event.number, contract_id=event.contract_id
    )


async def on_contract(event: ContractEvent, envelope: Envelope, uow: UnitOfWork) -> None:
    await remember_contract(uow, event)


async def on_ticket_created(event: TicketCreated, envelope: Envelope, uow: UnitOfWork) -> None:
    await remember_ticket(uow, event)


EVENTS = {cls: notify for cls in rules.NOTIFIED}
# Not in the service's handler map: contract.* and ticket.created belong to the clocks' handlers,
# which call remember_contract and remember_ticket. Tests that run notifications alone use this.
READ_MODELS = {
    ContractRegistered: on_contract,
    ContractUpdated: on_contract,
    TicketCreated: on_ticket_created,
}
