"""The wire: a webhook POSTed over HTTP, an e-mail handed to the SMTP relay.

Nothing here touches the database or decides a retry: each send returns an outcome, and the
senders (timer.py) record it. A send never raises: a receiver that is down, slow, or answers
nonsense is an outcome like any other.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr, parsedate_to_datetime
from types import TracebackType
from typing import Any
from uuid import UUID

import aiosmtplib
import httpx

from services.escalation.notifications import rules
from shared.settings import Settings

log = logging.getLogger(__name__)

# A receiver answers within this or the attempt failed; the whole exchange, trickled bytes
# included, is bounded a little above it. Well inside the lease (commands.ClaimDue).
WEBHOOK_TIMEOUT_S = 10.0
USER_AGENT = "fieldops-webhooks/1"
ERROR_LENGTH = 500
RESPONSE_EXCERPT = 200


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return (f"{type(exc).__name__}: {text}" if text else type(exc).__name__)[:ERROR_LENGTH]


# --- webhooks -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WebhookOutcome:
    status_code: int | None  # None: no answer at all
    error: str | None
    retry_after: timedelta | None
    duration_ms: int


def webhook_client() -> httpx.AsyncClient:
    # Redirects are not followed: a subscription names where its deliveries go, and a 3xx is
    # answered like any other failure (logged, retried) until the URL is corrected.
    return httpx.AsyncClient(
        timeout=httpx.Timeout(WEBHOOK_TIMEOUT_S),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
        trust_env=False,
    )


async def post_webhook(
    client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str]
) -> WebhookOutcome:
    started = time.monotonic()
    try:
        async with asyncio.timeout(WEBHOOK_TIMEOUT_S * 1.5):
            async with client.stream("POST", url, content=body, headers=headers) as response:
                excerpt = b""
                # Only the start of the answer is kept: a receiver's 50 MB error page is its own.
                async for chunk in response.aiter_bytes():
                    excerpt += chunk
                    if len(excerpt) >= RESPONSE_EXCERPT:
                        break
    except Exception as exc:  # refused, reset, timed out, an invalid URL: all a failed attempt
        return WebhookOutcome(None, _describe(exc), None, _ms_since(started))
    status = response.status_code
    error = None
    if not rules.delivered(status):
        text = excerpt[:RESPONSE_EXCERPT].decode("utf-8", "replace").strip()
        error = (f"HTTP {status}: {text}" if text else f"HTTP {status}")[:ERROR_LENGTH]
    return WebhookOutcome(
        status, error, retry_after(response.headers.get("Retry-After")), _ms_since(started)
    )


def retry_after(value: str | None, now: datetime | None = None) -> timedelta | None:
    """A `Retry-After` of seconds or an HTTP date, as a wait; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        at = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    # The receiver's date is wall time, like the clock it was written by.
    wait = at - (now or datetime.now(UTC))
    return wait if wait > timedelta(0) else None


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


# --- e-mail ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MailOutcome:
    sent: bool
    error: str | None = None
    # The relay refused the address for good (5xx at RCPT): retrying cannot help.
    permanent: bool = False


def mail_domain(sender: str) -> str:
    """Where Message-IDs are minted: the sender's domain, as RFC 5322 suggests."""
    _, address = parseaddr(sender)
    local, at, domain = address.rpartition("@")
    return domain.strip() if at and local and domain.strip() else "fieldops.invalid"


def compose(settings: Settings, email: dict[str, Any], sent_at: datetime) -> EmailMessage:
    """The message for a claimed e-mail row; the same Message-ID on every try."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    name = email.get("recipient_name")
    message["To"] = (
        Address(display_name=name, addr_spec=email["recipient"]) if name else email["recipient"]
    )
    message["Subject"] = email["subject"]
    message["Message-ID"] = rules.message_id(_uuid(email["id"]), mail_domain(settings.smtp_from))
    message["Date"] = format_datetime(sent_at)
    # RFC 3834: an out-of-office reply to a machine's message goes nowhere useful.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(email["body"])
    return message


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


class SmtpSession:
    """One connection to the relay for a batch of messages, opened on the first send and again
    after the relay drops it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._smtp: aiosmtplib.SMTP | None = None
        # A relay that could not be reached is not dialled again for every message of the batch.
        self._unreachable: str | None = None

    async def __aenter__(self) -> SmtpSession:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._smtp is not None and self._smtp.is_connected:
            try:
                await self._smtp.quit()
            except Exception:  # the messages are sent; a rude goodbye changes nothing
                self._smtp.close()
        self._smtp = None

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._smtp is not None and self._smtp.is_connected:
            return self._smtp
        s = self.settings
        smtp = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_tls,
            start_tls=s.smtp_starttls,
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            timeout=s.smtp_timeout_s,
        )
        await smtp.connect()
        self._smtp = smtp
        return smtp

    async def send(self, message: EmailMessage) -> MailOutcome:
        if self._unreachable is not None:
            return MailOutcome(False, self._unreachable)
        try:
            smtp = await self._connected()
        except Exception as exc:
            self._unreachable = _describe(exc)
            return MailOutcome(False, self._unreachable)
        try:
            await smtp.send_message(message)
        except aiosmtplib.SMTPRecipientsRefused as refused:
            codes = [r.code for r in refused.recipients]
            return MailOutcome(
                False, _describe(refused), permanent=bool(codes) and min(codes) >= 500
            )
        except Exception as exc:  # a relay that is down, slow, or refuses us: tried again
            # A conversation that failed midway is not trusted with the next message.
            if self._smtp is not None:
                self._smtp.close()
                self._smtp = None
            return MailOutcome(False, _describe(exc))
        return MailOutcome(True)
