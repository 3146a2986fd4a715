"""What a route or a sender asks of notifications."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID


@dataclass(frozen=True, slots=True)
class SubscribeWebhook:
    url: str
    events: tuple[str, ...]
    secret: str = field(repr=False)
    by: str


@dataclass(frozen=True, slots=True)
class ChangeWebhook:
    """Only the fields in `changes` change: url, events, secret, active."""

    webhook_id: UUID
    changes: dict[str, Any] = field(repr=False)


@dataclass(frozen=True, slots=True)
class Redeliver:
    """Send a delivery again, at once, with a new round of retries: the receiver lost it, or was
    down longer than a day."""

    webhook_id: UUID
    delivery_id: UUID
    by: str


@dataclass(frozen=True, slots=True)
class ClaimDue:
    """Lease up to `limit` due deliveries or e-mails for `lease_s` seconds of sending."""

    limit: int = 20
    lease_s: float = 60.0
