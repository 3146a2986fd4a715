"""What clients send and receive about webhooks, their deliveries and the mail log.

The bodies check shape and size; what makes a URL, a type list or a secret acceptable is the
rules' (notifications/rules.py), answered as a 422 naming the field.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from services.escalation.notifications import rules
from shared.http.bodies import StrictBody
from shared.http.patch import PatchBody

# Stricter than the rule, so that what the document accepts the rule accepts too: a host name
# or IPv4 address (no credentials), a port up to 65535, a printable ASCII path without a
# fragment. The rule (validate_url) still has the last word.
_PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})"
URL_PATTERN = rf'^https?://[A-Za-z0-9.-]+(:{_PORT})?([/?][!-"$-~]*)?$'
PATTERNS = rules.subscription_patterns(rules.NOTIFIED_TYPES)

Url = Annotated[
    str,
    Field(
        min_length=1,
        max_length=rules.MAX_URL_LENGTH,
        pattern=URL_PATTERN,
        description="Where deliveries are POSTed: an absolute http(s) URL, e.g. "
        "https://ops.example.com/hooks/fieldops",
    ),
]
EventPattern = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        # The rule checks it (a 422 naming `events`); the enum tells clients what it accepts.
        json_schema_extra={"enum": PATTERNS},
    ),
]
EventTypes = Annotated[
    list[EventPattern],
    Field(
        min_length=1,
        max_length=20,
        description="Event types, a prefix wildcard (`sla.*`), or `*` for every one; e.g. "
        '["sla.breached", "escalation.*"]',
    ),
]
Secret = Annotated[
    str,
    Field(
        min_length=rules.MIN_SECRET_LENGTH,
        max_length=200,
        description="Signs every delivery (Fieldops-Signature); never shown again",
    ),
]


class WebhookCreate(StrictBody):
    url: Url
    events: EventTypes
    secret: Secret


class WebhookPatch(PatchBody):
    """Only the fields given change. A new secret signs every delivery from now on, retries of
    older events included."""

    url: Url | SkipJsonSchema[None] = None
    events: EventTypes | SkipJsonSchema[None] = None
    secret: Secret | SkipJsonSchema[None] = None
    active: bool | SkipJsonSchema[None] = Field(
        default=None, description="false: nothing new is queued or sent until it is true again"
    )


class WebhookPublic(BaseModel):
    id: UUID
    url: str
    events: list[str]
    active: bool
    created_at: datetime
    created_by: str
    updated_at: datetime
    deliveries: dict[str, int] = Field(
        default_factory=dict,
        description="How many deliveries are pending, delivered, gave_up (absent: none)",
    )


class DeliveryStatus(StrEnum):
    pending = "pending"
    delivered = "delivered"
    gave_up = "gave_up"


class AttemptPublic(BaseModel):
    attempted_at: datetime
    status_code: int | None = Field(description="The receiver's answer; null: none at all")
    error: str | None
    duration_ms: int


class DeliveryPublic(BaseModel):
    id: UUID = Field(description="The Fieldops-Delivery header: the same on every retry")
    webhook_id: UUID
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts_this_round: int = Field(
        description="Attempts since it was queued, or since the last redelivery by hand"
    )
    first_attempt_at: datetime | None
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
    payload: dict[str, Any] = Field(description="The body as sent: a CloudEvent in JSON")
    attempts: list[AttemptPublic] = Field(description="Every attempt ever made, oldest first")


class EmailStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    gave_up = "gave_up"


class EmailPublic(BaseModel):
    id: UUID = Field(description="One per event and address; the Message-ID is made from it")
    event_id: str
    event_type: str
    recipient: str
    recipient_name: str | None
    why: str = Field(description="The role that puts them on it, e.g. support team lead")
    subject: str
    body: str
    status: EmailStatus
    attempts: int
    first_attempt_at: datetime | None
    next_attempt_at: datetime | None
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime
