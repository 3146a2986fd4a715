"""Escalation's tables, all in schema "escalation"."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Field

from shared.tables import schema_base

EscalationTable = schema_base("escalation")
metadata = EscalationTable.metadata


class Clock(EscalationTable, table=True):
    __tablename__ = "clocks"
    __table_args__ = (
        # One clock of each kind per ticket, however often ticket.created arrives.
        sa.UniqueConstraint("ticket_id", "kind", name="uq_clocks_ticket_kind"),
        # Timers are claimed by due time: only the open ones need the index.
        sa.Index(
            "ix_clocks_open_due",
            "due_at",
            postgresql_where=sa.text("met_at IS NULL AND breached_at IS NULL"),
        ),
    )
    id: UUID = Field(primary_key=True)
    ticket_id: UUID
    kind: str = Field(max_length=16)
    priority: str = Field(max_length=2)
    calendar: str = Field(max_length=32)
    started_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    due_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    met_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    breached_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class NamedCalendar(EscalationTable, table=True):
    """ES-7: calendars an admin defines over the API, beside the built-in 24x7 and cn-5x8."""

    __tablename__ = "calendars"
    name: str = Field(primary_key=True, max_length=64)
    timezone: str = Field(max_length=64)
    # As written: weekday or span ("mon-fri") -> ["HH:MM-HH:MM", ...]
    ranges: dict = Field(sa_type=pg.JSONB)
    holidays: list[date] = Field(
        sa_type=pg.ARRAY(sa.Date), sa_column_kwargs={"server_default": "{}"}
    )
    # Make-up working days: weekend days worked in exchange for a holiday's bridge day.
    workdays: list[date] = Field(
        sa_type=pg.ARRAY(sa.Date), sa_column_kwargs={"server_default": "{}"}
    )
    # Bumped by each change that changes something: clocks and caches key on (name, version).
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    created_by: str = Field(sa_type=sa.Text)


# --- notifications: webhooks, e-mail, and the read models that address them -----------------

# A delivery or e-mail in one of these is waiting for a sender: only these need the index.
PENDING_DELIVERY = "status = 'pending'"
PENDING_EMAIL = "status IN ('pending', 'sending')"


class Webhook(EscalationTable, table=True):
    """A subscription: which event types are POSTed, signed with its secret, to which URL."""

    __tablename__ = "webhooks"
    __table_args__ = (sa.Index("ix_webhooks_created_at_id", "created_at", "id"),)
    id: UUID = Field(primary_key=True)
    url: str = Field(max_length=2048)
    events: list[str] = Field(sa_type=pg.ARRAY(sa.Text))
    # Kept readable: every delivery is signed with it. Never answered over the API.
    secret: str = Field(max_length=200)
    active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    created_by: str = Field(max_length=200)
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class Delivery(EscalationTable, table=True):
    """One event to one subscription: its id is the same on every retry and redelivery."""

    __tablename__ = "deliveries"
    __table_args__ = (
        # An event redelivered by the broker, or handled twice, adds no second delivery.
        sa.UniqueConstraint("webhook_id", "event_id", name="uq_deliveries_webhook_event"),
        sa.Index(
            "ix_deliveries_pending_next",
            "next_attempt_at",
            postgresql_where=sa.text(PENDING_DELIVERY),
        ),
        sa.Index("ix_deliveries_webhook_created", "webhook_id", "created_at", "id"),
    )
    id: UUID = Field(primary_key=True)
    webhook_id: UUID = Field(foreign_key="escalation.webhooks.id")
    event_id: str = Field(max_length=64)
    event_type: str = Field(max_length=64)
    # The exact bytes signed and sent: a retry sends the same body under a fresh signature.
    body: bytes = Field(sa_type=sa.LargeBinary)
    status: str = Field(max_length=16)  # pending | delivered | gave_up
    # Attempts in the current round; a redelivery by hand starts a new round of 24 hours.
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    first_attempt_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    next_attempt_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    last_status: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    delivered_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class DeliveryAttempt(EscalationTable, table=True):
    """The log: every POST made, what came back, how long it took."""

    __tablename__ = "delivery_attempts"
    __table_args__ = (sa.Index("ix_delivery_attempts_delivery_at", "delivery_id", "attempted_at"),)
    id: UUID = Field(primary_key=True)
    delivery_id: UUID = Field(foreign_key="escalation.deliveries.id")
    attempted_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    status_code: int | None = None
    error: str | None = Field(default=None, max_length=500)
    duration_ms: int


class Email(EscalationTable, table=True):
    """One message to one address about one event; its id is the dedupe key."""

    __tablename__ = "emails"
    __table_args__ = (
        sa.Index(
            "ix_emails_pending_next", "next_attempt_at", postgresql_where=sa.text(PENDING_EMAIL)
        ),
        sa.Index("ix_emails_created_at_id", "created_at", "id"),
    )
    id: UUID = Field(primary_key=True)
    event_id: str = Field(max_length=64)
    event_type: str = Field(max_length=64)
    recipient: str = Field(max_length=320)
    recipient_name: str | None = Field(default=None, max_length=200)
    why: str = Field(max_length=100)  # the role that puts them on it: "support team lead"
    subject: str = Field(max_length=500)
    body: str
    status: str = Field(max_length=16)  # pending | sending | sent | gave_up
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    first_attempt_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    next_attempt_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    last_error: str | None = Field(default=None, max_length=500)
    sent_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class NotificationContract(EscalationTable, table=True):
    """Read model of intake's contracts: whom each ladder level writes to, and in which zone."""

    __tablename__ = "notification_contracts"
    contract_id: UUID = Field(primary_key=True)
    calendar: str = Field(max_length=64)
    ladder: list = Field(sa_type=pg.JSONB)  # LadderContact, as the contract event carries them
    # The contract event's own time: a late contract.registered never undoes an update.
    as_of: datetime = Field(sa_type=sa.DateTime(timezone=True))


class NotificationTicket(EscalationTable, table=True):
    """Read model of a ticket for its e-mails: its number, its contract, its ladder level."""

    __tablename__ = "notification_tickets"
    ticket_id: UUID = Field(primary_key=True)
    number: str | None = Field(default=None, max_length=32)
    contract_id: UUID | None = None
    level: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
