"""The senders: due webhook deliveries POSTed, due e-mails handed to the SMTP relay.

Each works in three steps, so that a slow receiver holds no database lock and a crash loses
nothing:

1. claim (a transaction of its own, committed): due rows are taken with `FOR UPDATE SKIP
   LOCKED`, so two replicas never take the same one, and leased - their next attempt moves past
   the lease - so no other replica takes them while they are being sent;
2. send, outside any transaction;
3. record (one small transaction per row): the attempt logged, and the row delivered, sent,
   rescheduled after its back-off, or given up.

A sender that dies between 1 and 3 leaves a lease that runs out: the row is sent again. A
receiver may so see one delivery twice (the `Fieldops-Delivery` id is its key for doing it
once), an inbox one message twice with the same Message-ID.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from services.escalation.notifications import handlers, outbound, rules
from services.escalation.notifications.commands import ClaimDue
from shared.db import DatabaseUnavailable, UnitOfWork, is_transient
from shared.observability import log_fields
from shared.service import Runtime

log = logging.getLogger(__name__)

# Many deliveries go at once (to as many receivers), each bounded by its timeout, well inside
# the lease. E-mails go one after another over one relay connection: fewer, longer-leased.
WEBHOOK_CLAIM = ClaimDue(limit=20, lease_s=60.0)
EMAIL_CLAIM = ClaimDue(limit=10, lease_s=300.0)

Claimed = list[dict[str, Any]]


async def webhook_sender(runtime: Runtime) -> None:
    async with outbound.webhook_client() as client:

        async def send(claimed: Claimed) -> None:
            await asyncio.gather(*(_deliver(runtime, client, d) for d in claimed))

        await _run_leased(
            runtime, "webhooks", lambda uow: handlers.claim_deliveries(WEBHOOK_CLAIM, uow), send
        )


async def _deliver(runtime: Runtime, client: httpx.AsyncClient, claimed: dict[str, Any]) -> None:
    body = bytes(claimed["body"])
    # Signed with the wall clock, not the business clock: the receiver compares the timestamp
    # with its own clock to refuse replays, and a test or demo may have moved business time.
    signed = rules.headers(
        claimed["secret"], body, datetime.now(UTC), claimed["id"], claimed["event_type"]
    )
    outcome = await outbound.post_webhook(client, claimed["url"], body, signed)
    await _record(runtime, lambda uow: handlers.record_delivery(uow, claimed, outcome))


async def mail_sender(runtime: Runtime) -> None:
    settings = runtime.settings
    if not settings.smtp_host:
        log.warning(
            "no SMTP relay configured (FIELDOPS_SMTP_HOST): e-mails are decided and kept "
            "pending, listed at GET /v1/emails, and sent once a relay is configured"
        )
        return

    async def send(claimed: Claimed) -> None:
        started = time.monotonic()
        async with outbound.SmtpSession(settings) as session:
            for email in claimed:
                # A slow relay must not outlast the lease: what is left is taken again when it
                # runs out, rather than by another replica while this one is still sending.
                if time.monotonic() - started > EMAIL_CLAIM.lease_s / 2:
                    break
                message = outbound.compose(settings, email, datetime.now(UTC))
                outcome = await session.send(message)
                await _record(runtime, functools.partial(_record_email, email, outcome))

    await _run_leased(runtime, "emails", lambda uow: handlers.claim_emails(EMAIL_CLAIM, uow), send)


async def _record_email(
    email: dict[str, Any], outcome: outbound.MailOutcome, uow: UnitOfWork
) -> None:
    await handlers.record_email(uow, email, outcome)


async def _run_leased(
    runtime: Runtime,
    name: str,
    claim: Callable[[UnitOfWork], Awaitable[Claimed]],
    send: Callable[[Claimed], Awaitable[None]],
    *,
    tick_s: float = 1.0,
) -> None:
    while True:
        try:
            async with runtime.uow() as uow:
                claimed = await claim(uow)
                await uow.commit()
            if claimed:
                await send(claimed)
                log.info("notifications sent", extra=log_fields(sender=name, count=len(claimed)))
                continue  # more may be due right now
        except DatabaseUnavailable as exc:
            log.warning(
                "sender cannot reach the database", extra=log_fields(sender=name, error=str(exc))
            )
        except Exception as exc:
            if not is_transient(exc):
                raise
        await asyncio.sleep(tick_s)


async def _record(runtime: Runtime, write: Callable[[UnitOfWork], Awaitable[None]]) -> None:
    try:
        async with runtime.uow() as uow:
            await write(uow)
            await uow.commit()
    except Exception as exc:
        if not (isinstance(exc, DatabaseUnavailable) or is_transient(exc)):
            raise
        # Sent but not written down: the lease runs out and it goes again, at least once.
        log.warning("a send's result could not be recorded", extra=log_fields(error=str(exc)))
