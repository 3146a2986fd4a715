"""Every SQL statement about notifications: subscriptions, deliveries, e-mails and the read
models that address them, as constants."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from asyncpg import Connection

from shared.sql import Filters

# --- subscriptions --------------------------------------------------------------------------

WEBHOOK_COLUMNS = "id, url, events, active, created_at, created_by, updated_at"

_INSERT_WEBHOOK = f"""
INSERT INTO escalation.webhooks (id, url, events, secret, active, created_at, created_by, updated_at)
VALUES ($1, $2, $3, $4, true, $5, $6, $5)
RETURNING {WEBHOOK_COLUMNS}"""
_GET_WEBHOOK = f"SELECT {WEBHOOK_COLUMNS} FROM escalation.webhooks WHERE id = $1"
_LOCK_WEBHOOK = (
    f"SELECT {WEBHOOK_COLUMNS}, secret FROM escalation.webhooks WHERE id = $1 FOR UPDATE"
)
_UPDATE_WEBHOOK = f"""
UPDATE escalation.webhooks SET url = $2, events = $3, secret = $4, active = $5, updated_at = $6
WHERE id = $1 RETURNING {WEBHOOK_COLUMNS}"""
_LIST_WEBHOOKS = f"SELECT {WEBHOOK_COLUMNS} FROM escalation.webhooks"
_ACTIVE_WEBHOOKS = "SELECT id, events FROM escalation.webhooks WHERE active"
# How a subscription's deliveries stand: what an admin looks at first when a receiver was down.
_DELIVERY_COUNTS = """
SELECT status, count(*) AS n FROM escalation.deliveries WHERE webhook_id = $1 GROUP BY status"""


async def insert_webhook(conn: Connection, row: dict[str, Any]) -> dict[str, Any]:
    record = await conn.fetchrow(
        _INSERT_WEBHOOK,
        row["id"],
        row["url"],
        list(row["events"]),
        row["secret"],
        row["created_at"],
        row["created_by"],
    )
    return dict(record)


async def get_webhook(conn: Connection, webhook_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_GET_WEBHOOK, webhook_id)
    return None if row is None else dict(row)


async def lock_webhook(conn: Connection, webhook_id: UUID) -> dict[str, Any] | None:
    """The subscription with its secret, locked for a change."""
    row = await conn.fetchrow(_LOCK_WEBHOOK, webhook_id)
    return None if row is None else dict(row)


async def update_webhook(conn: Connection, row: dict[str, Any], at: datetime) -> dict[str, Any]:
    record = await conn.fetchrow(
        _UPDATE_WEBHOOK,
        row["id"],
        row["url"],
        list(row["events"]),
        row["secret"],
        row["active"],
        at,
    )
    return dict(record)


async def page_webhooks(
    conn: Connection, *, after: tuple[datetime, UUID] | None, limit: int, active: bool | None
) -> list[dict[str, Any]]:
    """Oldest first, `limit + 1` rows so the caller can tell whether more follow."""
    filters = Filters()
    if after is not None:
        filters.add("(created_at, id) > ({}, {})", *after)
    filters.add_if(active, "active = {}")
    records = await conn.fetch(
        f"{_LIST_WEBHOOKS} {filters.where()} ORDER BY created_at, id "
        f"LIMIT {filters.param(limit + 1)}",
        *filters.args,
    )
    return [dict(r) for r in records]


async def active_webhooks(conn: Connection) -> list[tuple[UUID, list[str]]]:
    return [(r["id"], r["events"]) for r in await conn.fetch(_ACTIVE_WEBHOOKS)]


async def delivery_counts(conn: Connection, webhook_id: UUID) -> dict[str, int]:
    return {r["status"]: r["n"] for r in await conn.fetch(_DELIVERY_COUNTS, webhook_id)}


# --- deliveries -----------------------------------------------------------------------------

DELIVERY_COLUMNS = (
    "id, webhook_id, event_id, event_type, body, status, attempts, first_attempt_at, "
    "next_attempt_at, last_status, last_error, delivered_at, created_at"
)
ATTEMPT_COLUMNS = "id, delivery_id, attempted_at, status_code, error, duration_ms"

# One delivery per event and subscription, however often the event is handled.
_INSERT_DELIVERIES = """
INSERT INTO escalation.deliveries
    (id, webhook_id, event_id, event_type, body, status, attempts, next_attempt_at, created_at)
SELECT d, w, $3, $4, $5, 'pending', 0, $6, $6 FROM unnest($1::uuid[], $2::uuid[]) AS u(d, w)
ON CONFLICT (webhook_id, event_id) DO NOTHING"""
# Each due delivery is claimed by one replica (SKIP LOCKED) and leased: its next attempt moves
# past the lease, so the claim commits before anything is sent and no lock is held while a
# receiver is slow. A sender that dies mid-send leaves the lease to run out: the delivery is
# tried again (at least once; the delivery id lets the receiver do it once).
_CLAIM_DELIVERIES = """
UPDATE escalation.deliveries d
SET attempts = d.attempts + 1, first_attempt_at = coalesce(d.first_attempt_at, $2),
    next_attempt_at = $3
FROM escalation.webhooks w
WHERE w.id = d.webhook_id
  AND d.id IN (SELECT p.id FROM escalation.deliveries p JOIN escalation.webhooks pw
                   ON pw.id = p.webhook_id AND pw.active
               WHERE p.status = 'pending' AND p.next_attempt_at <= $2
               ORDER BY p.next_attempt_at LIMIT $1 FOR UPDATE OF p SKIP LOCKED)
RETURNING d.id, d.webhook_id, d.event_type, d.body, d.attempts, d.first_attempt_at,
          d.next_attempt_at AS lease_until, w.url, w.secret"""
# A success stands whoever holds the lease now: the receiver has the event.
_DELIVERED = """
UPDATE escalation.deliveries
SET status = 'delivered', delivered_at = $2, next_attempt_at = NULL, last_status = $3,
    last_error = NULL
WHERE id = $1 AND status = 'pending'"""
# A failure only reschedules the attempt it belongs to: a redelivery or a newer claim since
# (its lease differs) is not pushed back by a stale result.
_FAILED = """
UPDATE escalation.deliveries
SET status = $2, next_attempt_at = $3, last_status = $4, last_error = $5
WHERE id = $1 AND status = 'pending' AND next_attempt_at = $6"""
_LOG_ATTEMPT = f"""
INSERT INTO escalation.delivery_attempts ({ATTEMPT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"""
# A new round of 24 hours, at once; the log keeps every earlier attempt.
_REDELIVER = f"""
UPDATE escalation.deliveries
SET status = 'pending', attempts = 0, first_attempt_at = NULL, next_attempt_at = $3,
    delivered_at = NULL
WHERE id = $1 AND webhook_id = $2
RETURNING {DELIVERY_COLUMNS}"""
_LIST_DELIVERIES = f"SELECT {DELIVERY_COLUMNS} FROM escalation.deliveries"
_ATTEMPTS_OF = f"""
SELECT {ATTEMPT_COLUMNS} FROM escalation.delivery_attempts
WHERE delivery_id = ANY($1::uuid[]) ORDER BY attempted_at, id"""


async def insert_deliveries(
    conn: Connection,
    deliveries: Sequence[tuple[UUID, UUID]],
    *,
    event_id: str,
    event_type: str,
    body: bytes,
    at: datetime,
) -> None:
    """`deliveries` are (delivery id, webhook id); each is due at once."""
    if not deliveries:
        return
    await conn.execute(
        _INSERT_DELIVERIES,
        [d for d, _ in deliveries],
        [w for _, w in deliveries],
        event_id,
        event_type,
        body,
        at,
    )


async def claim_deliveries(
    conn: Connection, now: datetime, lease_until: datetime, limit: int
) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(_CLAIM_DELIVERIES, limit, now, lease_until)]


async def mark_delivered(
    conn: Connection, delivery_id: UUID, at: datetime, status_code: int | None
) -> None:
    await conn.execute(_DELIVERED, delivery_id, at, status_code)


async def mark_failed(
    conn: Connection,
    delivery_id: UUID,
    *,
    lease_until: datetime,
    next_attempt_at: datetime | None,
    status_code: int | None,
    error: str | None,
) -> None:
    status = "pending" if next_attempt_at is not None else "gave_up"
    await conn.execute(
        _FAILED, delivery_id, status, next_attempt_at, status_code, error, lease_until
    )


async def log_attempt(conn: Connection, row: dict[str, Any]) -> None:
    await conn.execute(
        _LOG_ATTEMPT,
        row["id"],
        row["delivery_id"],
        row["attempted_at"],
        row["status_code"],
        row["error"],
        row["duration_ms"],
    )


async def redeliver(
    conn: Connection, webhook_id: UUID, delivery_id: UUID, at: datetime
) -> dict[str, Any] | None:
    row = await conn.fetchrow(_REDELIVER, delivery_id, webhook_id, at)
    return None if row is None else dict(row)


async def page_deliveries(
    conn: Connection,
    webhook_id: UUID,
    *,
    before: tuple[datetime, UUID] | None,
    limit: int,
    status: str | None,
) -> list[dict[str, Any]]:
    """Newest first, as a log is read; `limit + 1` rows so the caller can tell whether more follow."""
    filters = Filters().add("webhook_id = {}", webhook_id)
    if before is not None:
        filters.add("(created_at, id) < ({}, {})", *before)
    filters.add_if(status, "status = {}")
    records = await conn.fetch(
        f"{_LIST_DELIVERIES} {filters.where()} ORDER BY created_at DESC, id DESC "
        f"LIMIT {filters.param(limit + 1)}",
        *filters.args,
    )
    return [dict(r) for r in records]


async def attempts_of(conn: Connection, delivery_ids: Iterable[UUID]) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(_ATTEMPTS_OF, list(delivery_ids))]


# --- e-mail ---------------------------------------------------------------------------------

EMAIL_COLUMNS = (
    "id, event_id, event_type, recipient, recipient_name, why, subject, body, status, attempts, "
    "first_attempt_at, next_attempt_at, last_error, sent_at, created_at"
)

# The id is the (event, address) dedupe key: a message is decided once, however often its
# event is handled.
_INSERT_EMAILS = """
INSERT INTO escalation.emails
    (id, event_id, event_type, recipient, recipient_name, why, subject, body, status, attempts,
     next_attempt_at, created_at)
SELECT i, $5, $6, r, n, w, $7, $8, 'pending', 0, $9, $9
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS u(i, r, n, w)
ON CONFLICT (id) DO NOTHING"""
# Leased like deliveries: `sending` with a lease that ran out is a sender that died mid-send,
# and the message goes again under the same Message-ID.
_CLAIM_EMAILS = """
UPDATE escalation.emails
SET status = 'sending', attempts = attempts + 1, first_attempt_at = coalesce(first_attempt_at, $2),
    next_attempt_at = $3
WHERE id IN (SELECT id FROM escalation.emails
             WHERE status IN ('pending', 'sending') AND next_attempt_at <= $2
             ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
RETURNING id, recipient, recipient_name, subject, body, attempts, first_attempt_at,
          next_attempt_at AS lease_until"""
_SENT = """
UPDATE escalation.emails SET status = 'sent', sent_at = $2, next_attempt_at = NULL, last_error = NULL
WHERE id = $1 AND status = 'sending'"""
_NOT_SENT = """
UPDATE escalation.emails SET status = $2, next_attempt_at = $3, last_error = $4
WHERE id = $1 AND status = 'sending' AND next_attempt_at = $5"""
_LIST_EMAILS = f"SELECT {EMAIL_COLUMNS} FROM escalation.emails"


async def insert_emails(
    conn: Connection,
    recipients: Sequence[tuple[UUID, str, str | None, str]],
    *,
    event_id: str,
    event_type: str,
    subject: str,
    body: str,
    at: datetime,
) -> None:
    """`recipients` are (dedupe key, address, name, why); each message is due at once."""
    if not recipients:
        return
    await conn.execute(
        _INSERT_EMAILS,
        [r[0] for r in recipients],
        [r[1] for r in recipients],
        [r[2] for r in recipients],
        [r[3] for r in recipients],
        event_id,
        event_type,
        subject,
        body,
        at,
    )


async def claim_emails(
    conn: Connection, now: datetime, lease_until: datetime, limit: int
) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch(_CLAIM_EMAILS, limit, now, lease_until)]


async def mark_sent(conn: Connection, email_id: UUID, at: datetime) -> None:
    await conn.execute(_SENT, email_id, at)


async def mark_not_sent(
    conn: Connection,
    email_id: UUID,
    *,
    lease_until: datetime,
    next_attempt_at: datetime | None,
    error: str,
) -> None:
    status = "pending" if next_attempt_at is not None else "gave_up"
    await conn.execute(_NOT_SENT, email_id, status, next_attempt_at, error, lease_until)


async def page_emails(
    conn: Connection,
    *,
    before: tuple[datetime, UUID] | None,
    limit: int,
    status: str | None,
    event_id: str | None,
) -> list[dict[str, Any]]:
    """Newest first, as a log is read; `limit + 1` rows so the caller can tell whether more follow."""
    filters = Filters()
    if before is not None:
        filters.add("(created_at, id) < ({}, {})", *before)
    filters.add_if(status, "status = {}").add_if(event_id, "event_id = {}")
    records = await conn.fetch(
        f"{_LIST_EMAILS} {filters.where()} ORDER BY created_at DESC, id DESC "
        f"LIMIT {filters.param(limit + 1)}",
        *filters.args,
    )
    return [dict(r) for r in records]


# --- read models: whom a ticket's e-mails go to ---------------------------------------------

# The newest contract event wins, whatever order they arrive in.
_REMEMBER_CONTRACT = """
INSERT INTO escalation.notification_contracts (contract_id, calendar, ladder, as_of)
VALUES ($1, $2, $3, $4)
ON CONFLICT (contract_id) DO UPDATE
SET calendar = EXCLUDED.calendar, ladder = EXCLUDED.ladder, as_of = EXCLUDED.as_of
WHERE escalation.notification_contracts.as_of <= EXCLUDED.as_of"""
# The level is kept: an escalation.raised handled before its ticket.created is not undone.
_REMEMBER_TICKET = """
INSERT INTO escalation.notification_tickets (ticket_id, number, contract_id, level)
VALUES ($1, $2, $3, 0)
ON CONFLICT (ticket_id) DO UPDATE SET number = EXCLUDED.number, contract_id = EXCLUDED.contract_id"""
# The ladder only climbs: a late or repeated escalation.raised never lowers it.
_RAISE_LEVEL = """
INSERT INTO escalation.notification_tickets (ticket_id, level) VALUES ($1, $2)
ON CONFLICT (ticket_id) DO UPDATE
SET level = GREATEST(escalation.notification_tickets.level, EXCLUDED.level)"""
_TICKET_CONTEXT = """
SELECT t.number, t.level, c.calendar, c.ladder
FROM escalation.notification_tickets t
LEFT JOIN escalation.notification_contracts c ON c.contract_id = t.contract_id
WHERE t.ticket_id = $1"""


async def remember_contract(
    conn: Connection,
    contract_id: UUID,
    *,
    calendar: str,
    ladder: list[dict[str, Any]],
    as_of: datetime,
) -> None:
    await conn.execute(_REMEMBER_CONTRACT, contract_id, calendar, ladder, as_of)


async def remember_ticket(
    conn: Connection, ticket_id: UUID, *, number: str, contract_id: UUID | None
) -> None:
    await conn.execute(_REMEMBER_TICKET, ticket_id, number, contract_id)


async def raise_level(conn: Connection, ticket_id: UUID, level: int) -> None:
    await conn.execute(_RAISE_LEVEL, ticket_id, level)


async def ticket_context(conn: Connection, ticket_id: UUID) -> dict[str, Any] | None:
    """The ticket's number and level, and its contract's calendar and ladder (None if unknown)."""
    row = await conn.fetchrow(_TICKET_CONTEXT, ticket_id)
    return None if row is None else dict(row)
