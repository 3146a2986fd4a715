"""Escalation's tables, all in schema "escalation".

A clock's truth is its log (`clock_entries`); the `clocks` row is the fold of that log as last
computed, kept for the timer's index, the breach list and the reports, and what was announced
(`sent`, `met_sent`, `breached_at`), which no replay may take back. The ladder is kept the same
way: its state in `ladders`, its history appended to `ladder_entries`.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Field

from shared.tables import schema_base

EscalationTable = schema_base("escalation")
metadata = EscalationTable.metadata

TZ = sa.DateTime(timezone=True)


class Contract(EscalationTable, table=True):
    """Intake's contracts as the SLA policy and the ladder need them (`contract.*` events)."""

    __tablename__ = "contracts"
    id: UUID = Field(primary_key=True)
    customer_id: UUID
    coverage: str = Field(max_length=8)
    emergency_onsite_7x24: bool
    onsite_minutes: int
    calendar: str = Field(max_length=64)
    targets: dict = Field(sa_type=pg.JSONB)  # only where the contract differs from the seed
    ladder: list = Field(sa_type=pg.JSONB)  # the contacts per level
    as_of: datetime = Field(sa_type=TZ)
    # ES-3: the contract's own step limits, as sent ({"P1": {"accept_minutes": 15}})
    step_limits: dict = Field(sa_type=pg.JSONB, sa_column_kwargs={"server_default": "{}"})


class Ticket(EscalationTable, table=True):
    """What escalation knows of a ticket: enough to choose its policy and to report on it."""

    __tablename__ = "tickets"
    __table_args__ = (
        # A contract's new terms recompute the clocks of its tickets.
        sa.Index("ix_escalation_tickets_contract_id", "contract_id"),
    )
    id: UUID = Field(primary_key=True)
    number: str = Field(max_length=32)
    customer_id: UUID
    contract_id: UUID | None = None
    priority: str = Field(max_length=2)
    reported_at: datetime = Field(sa_type=TZ)
    coverage: str | None = Field(default=None, max_length=8)
    calendar: str | None = Field(default=None, max_length=64)
    asset_serial: str | None = Field(default=None, max_length=100)
    status: str = Field(default="open", max_length=16, sa_column_kwargs={"server_default": "open"})
    # RP-2 by engineer: everyone assigned to it (assignment.created).
    engineer_ids: list[UUID] = Field(
        default_factory=list, sa_type=pg.ARRAY(sa.Uuid), sa_column_kwargs={"server_default": "{}"}
    )


class Clock(EscalationTable, table=True):
    __tablename__ = "clocks"
    __table_args__ = (
        # One clock of each kind per ticket, however often ticket.created arrives.
        sa.UniqueConstraint("ticket_id", "kind", name="uq_clocks_ticket_kind"),
        # The timer claims by the next threshold: only clocks with one need the index.
        sa.Index(
            "ix_clocks_next_fire_at",
            "next_fire_at",
            postgresql_where=sa.text("next_fire_at IS NOT NULL"),
        ),
        sa.Index(
            "ix_clocks_breached_at",
            "breached_at",
            "id",
            postgresql_where=sa.text("breached_at IS NOT NULL"),
        ),
        # A calendar edited: the clocks still counting on it are replayed.
        sa.Index(
            "ix_clocks_open_calendar", "calendar", postgresql_where=sa.text("status <> 'stopped'")
        ),
    )
    id: UUID = Field(primary_key=True)
    ticket_id: UUID
    kind: str = Field(max_length=16)
    calendar: str = Field(max_length=64)
    target_minutes: int
    status: str = Field(max_length=16)
    started_at: datetime = Field(sa_type=TZ)
    used_minutes: float = Field(default=0.0, sa_column_kwargs={"server_default": "0"})
    due_at: datetime = Field(sa_type=TZ)
    met_at: datetime | None = Field(default=None, sa_type=TZ)  # as announced by sla.met
    breached_at: datetime | None = Field(default=None, sa_type=TZ)  # as announced by sla.breached
    # The thresholds announced (warnings; 1.0 the breach) and whether sla.met went out: each once.
    sent: list[float] = Field(
        default_factory=list, sa_type=pg.ARRAY(sa.Float), sa_column_kwargs={"server_default": "{}"}
    )
    met_sent: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})
    next_fire_at: datetime | None = Field(default=None, sa_type=TZ)
    updated_at: datetime = Field(sa_type=TZ)


class ClockEntry(EscalationTable, table=True):
    """A clock's append-only log: each fact at its own time, whenever it arrived."""

    __tablename__ = "clock_entries"
    __table_args__ = (sa.Index("ix_clock_entries_clock", "clock_id", "seq"),)
    seq: int | None = Field(default=None, sa_type=sa.BigInteger, primary_key=True)
    clock_id: UUID
    at: datetime = Field(sa_type=TZ)
    kind: str = Field(max_length=16)
    reason: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    source: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    target_minutes: int | None = None
    calendar: str | None = Field(default=None, max_length=64)
    recorded_at: datetime = Field(sa_type=TZ)


class Ladder(EscalationTable, table=True):
    __tablename__ = "ladders"
    __table_args__ = (
        sa.Index(
            "ix_ladders_next_fire_at",
            "next_fire_at",
            postgresql_where=sa.text("next_fire_at IS NOT NULL"),
        ),
    )
    ticket_id: UUID = Field(primary_key=True)
    level: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    state: dict = Field(sa_type=pg.JSONB)  # the ladder's fields but its history
    next_fire_at: datetime | None = Field(default=None, sa_type=TZ)
    updated_at: datetime = Field(sa_type=TZ)


class LadderEntry(EscalationTable, table=True):
    """The ladder's history, as `GET /v1/tickets/{id}/sla` shows it."""

    __tablename__ = "ladder_entries"
    __table_args__ = (sa.Index("ix_ladder_entries_ticket", "ticket_id", "seq"),)
    seq: int | None = Field(default=None, sa_type=sa.BigInteger, primary_key=True)
    ticket_id: UUID
    kind: str = Field(max_length=16)
    at: datetime = Field(sa_type=TZ)
    level: int
    step: str | None = Field(default=None, max_length=32)
    reason: str | None = Field(default=None, max_length=16)
    by: str | None = Field(default=None, max_length=320)
    until: datetime | None = Field(default=None, sa_type=TZ)
    clock_id: UUID | None = None


class EarlyFact(EscalationTable, table=True):
    """A fact about a ticket escalation has not heard of yet.

    Dispatch's and inventory's events travel on other topics than intake's `ticket.created`,
    so `assignment.created` can be read first; it is kept here and applied, at its own time,
    when the ticket arrives.
    """

    __tablename__ = "early_facts"
    __table_args__ = (sa.Index("ix_early_facts_ticket", "ticket_id"),)
    event_id: str = Field(primary_key=True, sa_type=sa.Text)
    ticket_id: UUID
    type: str = Field(max_length=64)
    payload: dict = Field(sa_type=pg.JSONB)
    received_at: datetime = Field(sa_type=TZ)


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
