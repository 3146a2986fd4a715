"""Intake's tables, all in schema "intake"."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from shared.tables import schema_base

IntakeTable = schema_base("intake")
metadata = IntakeTable.metadata

ticket_number_seq = sa.Sequence("ticket_number_seq", metadata=metadata)


class Customer(IntakeTable, table=True):
    __tablename__ = "customers"
    id: UUID = Field(primary_key=True)
    name: str = Field(max_length=200)
    region: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


# Statuses in which a ticket still absorbs its alarm's repeats (lifecycle: before resolution).
OPEN_ALARM = "alarm_code IS NOT NULL AND status NOT IN ('resolved', 'closed', 'cancelled')"


class Ticket(IntakeTable, table=True):
    __tablename__ = "tickets"
    __table_args__ = (
        sa.Index("ix_tickets_created_at_id", "created_at", "id"),
        # Alarm folding: one open ticket per asset and alarm, held by the database against
        # every worker and replica at once (INSERT ... ON CONFLICT folds into it).
        sa.Index(
            "uq_tickets_open_alarm",
            "asset_id",
            "alarm_source",
            "alarm_code",
            unique=True,
            postgresql_where=sa.text(OPEN_ALARM),
        ),
    )
    id: UUID = Field(primary_key=True)
    number: str = Field(unique=True, max_length=32)
    customer_id: UUID = Field(foreign_key="intake.customers.id", index=True)
    summary: str = Field(max_length=200)
    description: str = Field(max_length=10_000)
    channel: str = Field(max_length=16)
    category: str = Field(max_length=32)
    impact: str = Field(max_length=16)
    priority: str = Field(max_length=2)
    status: str = Field(max_length=32)  # awaiting_customer did not fit in 16
    region: str | None = Field(default=None, max_length=64)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    # --- ticket entry (IN-1, IN-10): when it was reported, by and about what, what it is entitled to
    reported_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    contact_id: UUID | None = Field(default=None, foreign_key="intake.contacts.id")
    site_id: UUID | None = Field(default=None, foreign_key="intake.sites.id")
    asset_id: UUID | None = Field(default=None, foreign_key="intake.assets.id")
    # Repeat failures are found by serial, hence an index.
    asset_serial: str | None = Field(default=None, max_length=100, index=True)
    asset_manufacturer: str | None = Field(default=None, max_length=100)
    asset_model: str | None = Field(default=None, max_length=100)
    contract_id: UUID | None = Field(default=None, foreign_key="intake.contracts.id")
    coverage: str | None = Field(default=None, max_length=8)
    calendar: str | None = Field(default=None, max_length=64)
    in_warranty: bool | None = Field(default=None)
    chargeable: bool | None = Field(default=None)  # None: recorded before entitlements were
    alarm_source: str | None = Field(default=None, max_length=64)
    alarm_code: str | None = Field(default=None, max_length=128)
    occurrences: int = Field(default=1)
    last_occurred_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    # --- the ticket's life (IN-4, IN-5, IV-3) ---
    # While awaiting the customer: the status `resume` returns to (see tickets/lifecycle.py).
    held_from: str | None = Field(default=None, max_length=32)
    # The latest resolution: the reopen window counts from it; a reopen clears it.
    resolved_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    closed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    cancelled_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


# --- master data: sites, duty contacts, contracts, the installed base ---


class Site(IntakeTable, table=True):
    __tablename__ = "sites"
    __table_args__ = (sa.Index("ix_sites_created_at_id", "created_at", "id"),)
    id: UUID = Field(primary_key=True)
    customer_id: UUID = Field(foreign_key="intake.customers.id", index=True)
    name: str = Field(max_length=200)
    address: str = Field(max_length=500)
    latitude: float
    longitude: float
    timezone: str = Field(max_length=64)
    region: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class Contact(IntakeTable, table=True):
    __tablename__ = "contacts"
    __table_args__ = (
        sa.Index("ix_contacts_customer_id_created_at_id", "customer_id", "created_at", "id"),
        # IN-11: one primary per customer, held by the database against concurrent writers too.
        sa.Index(
            "uq_contacts_one_primary",
            "customer_id",
            unique=True,
            postgresql_where=sa.text("role = 'primary'"),
        ),
    )
    id: UUID = Field(primary_key=True)
    customer_id: UUID = Field(foreign_key="intake.customers.id")
    name: str = Field(max_length=200)
    phone: str = Field(max_length=32)
    email: str | None = Field(default=None, max_length=320)
    role: str = Field(max_length=16)
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class Contract(IntakeTable, table=True):
    __tablename__ = "contracts"
    __table_args__ = (sa.Index("ix_contracts_created_at_id", "created_at", "id"),)
    id: UUID = Field(primary_key=True)
    customer_id: UUID = Field(foreign_key="intake.customers.id", index=True)
    coverage: str = Field(max_length=8)
    emergency_onsite_7x24: bool
    onsite_minutes: int
    calendar: str = Field(max_length=64)
    targets: dict = Field(sa_type=JSONB)
    warranty_start: date
    warranty_end: date
    originals_waiver: dict | None = Field(default=None, sa_type=JSONB)
    resident_engineer_id: UUID | None = Field(default=None)
    ladder: list = Field(sa_type=JSONB)
    step_limits: dict = Field(
        default_factory=dict, sa_type=JSONB, sa_column_kwargs={"server_default": "{}"}
    )
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class Asset(IntakeTable, table=True):
    __tablename__ = "assets"
    __table_args__ = (
        sa.UniqueConstraint("manufacturer", "serial", name="uq_assets_manufacturer_serial"),
        sa.Index("ix_assets_created_at_id", "created_at", "id"),
    )
    id: UUID = Field(primary_key=True)
    customer_id: UUID = Field(foreign_key="intake.customers.id", index=True)
    site_id: UUID = Field(foreign_key="intake.sites.id", index=True)
    contract_id: UUID = Field(foreign_key="intake.contracts.id", index=True)
    manufacturer: str = Field(max_length=100)
    model: str = Field(max_length=100)
    # A ticket by serial looks here without the manufacturer, hence an index of its own.
    serial: str = Field(max_length=100, index=True)
    accepted_on: date
    warranty_end: date
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class KnowledgeArticle(IntakeTable, table=True):
    """IN-8: the technical service manual. `search` is written by knowledge/store.py (see its docstring)."""

    __tablename__ = "knowledge_articles"
    __table_args__ = (
        sa.UniqueConstraint("source_ticket_id", name="uq_knowledge_articles_source_ticket_id"),
        # fastupdate off: see migration 0004 (articles are written seldom, searched all day).
        sa.Index(
            "ix_knowledge_articles_search",
            "search",
            postgresql_using="gin",
            postgresql_with={"fastupdate": "off"},
        ),
        sa.Index(
            "ix_knowledge_articles_title_search",
            "title_search",
            postgresql_using="gin",
            postgresql_with={"fastupdate": "off"},
        ),
        sa.Index("ix_knowledge_articles_status_updated_at_id", "status", "updated_at", "id"),
    )
    id: UUID = Field(primary_key=True)
    title: str = Field(max_length=200)
    body: str = Field(max_length=15_000)
    category: str = Field(max_length=32)
    models: list[str] = Field(sa_type=postgresql.ARRAY(sa.Text()))
    tags: list[str] = Field(sa_type=postgresql.ARRAY(sa.Text()))
    status: str = Field(max_length=16)
    source_ticket_id: UUID | None = Field(default=None, foreign_key="intake.tickets.id")
    search: str = Field(sa_type=postgresql.TSVECTOR())
    # The title's terms alone (the weight-A part of `search`), for finding title hits cheaply.
    title_search: str = Field(
        sa_column=sa.Column(
            postgresql.TSVECTOR(),
            sa.Computed("ts_filter(search, '{a}'::\"char\"[])", persisted=True),
            nullable=False,
        )
    )
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


# --- ratings (IN-6), advance notices (IN-9, IV-5), the reports' read models (RP-1, RP-2) ---


class RatingLink(IntakeTable, table=True):
    """The link issued for a resolved ticket: the token is rebuilt from this row, never stored."""

    __tablename__ = "rating_links"
    ticket_id: UUID = Field(primary_key=True, foreign_key="intake.tickets.id")
    issued_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class Rating(IntakeTable, table=True):
    """One rating per ticket: the primary key is what makes a second one a 409."""

    __tablename__ = "ratings"
    __table_args__ = (
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="ck_ratings_score"),
        sa.Index("ix_ratings_recorded_at", "recorded_at"),
    )
    ticket_id: UUID = Field(primary_key=True, foreign_key="intake.tickets.id")
    score: int = Field(sa_type=sa.SmallInteger())
    comment: str | None = Field(default=None, max_length=2000)
    engineer_ids: list[UUID] = Field(sa_type=postgresql.ARRAY(sa.Uuid()))
    recorded_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class TicketEngineer(IntakeTable, table=True):
    """Who was sent to a ticket, from dispatch's `assignment.created`: ratings and the engineer
    review need it."""

    __tablename__ = "ticket_engineers"
    __table_args__ = (sa.Index("ix_ticket_engineers_engineer_id", "engineer_id"),)
    ticket_id: UUID = Field(primary_key=True)
    engineer_id: UUID = Field(primary_key=True)
    assignment_id: UUID
    assigned_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class SlaOutcome(IntakeTable, table=True):
    """RP-2: each SLA clock's outcome as escalation reported it (`sla.met`, `sla.breached`)."""

    __tablename__ = "sla_outcomes"
    __table_args__ = (
        sa.Index("ix_sla_outcomes_ticket_id", "ticket_id"),
        sa.Index("ix_sla_outcomes_decided_at", "decided_at"),
    )
    clock_id: UUID = Field(primary_key=True)
    ticket_id: UUID
    kind: str = Field(max_length=16)
    outcome: str = Field(max_length=16)
    due_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    met_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # When the outcome was settled: met_at if met in time, due_at if breached.
    decided_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class Advisory(IntakeTable, table=True):
    __tablename__ = "advisories"
    __table_args__ = (
        sa.UniqueConstraint(
            "manufacturer", "reference", name="uq_advisories_manufacturer_reference"
        ),
    )
    id: UUID = Field(primary_key=True)
    manufacturer: str = Field(max_length=100)
    models: list[str] = Field(sa_type=postgresql.ARRAY(sa.Text()))
    # Recorded as given: assets do not record their firmware yet, so every asset of a model matches.
    firmware_from: str | None = Field(default=None, max_length=64)
    firmware_to: str | None = Field(default=None, max_length=64)
    text: str = Field(max_length=10_000)
    severity: str = Field(max_length=16)
    reference: str = Field(max_length=100)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class Notice(IntakeTable, table=True):
    """One advance notice to one customer: from an advisory or from a part's end of life."""

    __tablename__ = "notices"
    __table_args__ = (
        sa.Index("ix_notices_created_at_id", "created_at", "id"),
        sa.Index("ix_notices_customer_id_created_at_id", "customer_id", "created_at", "id"),
        # The timer's scan: only notices still waiting are indexed.
        sa.Index(
            "ix_notices_pending_send_by",
            "send_by",
            postgresql_where=sa.text("status = 'pending'"),
        ),
        # A redelivered or repeated end-of-life announcement tells each customer once.
        sa.Index(
            "uq_notices_part_number_customer_id",
            "part_number",
            "customer_id",
            unique=True,
            postgresql_where=sa.text("part_number IS NOT NULL"),
        ),
    )
    id: UUID = Field(primary_key=True)
    customer_id: UUID = Field(foreign_key="intake.customers.id")
    source: str = Field(max_length=16)
    advisory_id: UUID | None = Field(default=None, foreign_key="intake.advisories.id", index=True)
    reference: str = Field(max_length=100)
    severity: str | None = Field(default=None, max_length=16)
    part_number: str | None = Field(default=None, max_length=100)
    end_of_production: date | None = None
    serials: list[str] = Field(sa_type=postgresql.ARRAY(sa.Text()))
    contacts: list = Field(sa_type=JSONB)
    send_by: datetime = Field(sa_type=sa.DateTime(timezone=True))
    status: str = Field(max_length=16)
    due_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


# --- the ticket's life: its timeline, service reports, follow-ups, repeat failures ---


class TicketTimelineEntry(IntakeTable, table=True):
    """IN-4/ES-5: append-only; what happened to a ticket, who did it, when and why."""

    __tablename__ = "ticket_timeline"
    __table_args__ = (sa.Index("ix_ticket_timeline_ticket_id_seq", "ticket_id", "seq"),)
    # The order intake learned things in: a reader paging by it never misses a late fact.
    seq: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), primary_key=True)
    )
    ticket_id: UUID = Field(foreign_key="intake.tickets.id")
    at: datetime = Field(sa_type=sa.DateTime(timezone=True))  # when it happened
    recorded_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    kind: str = Field(max_length=40)
    actor: str = Field(max_length=200)
    detail: dict = Field(sa_type=JSONB)
    # The consumed event's id: a fact delivered twice is on the timeline once.
    event_id: str | None = Field(default=None, max_length=200, unique=True)


class ServiceReport(IntakeTable, table=True):
    """IN-5: one per resolution; a reopened and resolved again ticket keeps both."""

    __tablename__ = "service_reports"
    __table_args__ = (
        sa.Index("ix_service_reports_ticket_id_resolved_at", "ticket_id", "resolved_at", "id"),
        sa.Index("ix_service_reports_fault_type_resolved_at", "fault_type", "resolved_at"),
    )
    id: UUID = Field(primary_key=True)
    ticket_id: UUID = Field(foreign_key="intake.tickets.id")
    resolved_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    source: str = Field(max_length=16)  # centre (fixed by phone) or engineer (assignment.completed)
    assignment_id: UUID | None = Field(default=None)
    work_done: str = Field(max_length=10_000)
    root_cause: str = Field(max_length=2_000)
    fault_type: str = Field(max_length=16)
    parts_used: list = Field(sa_type=JSONB)
    minutes_on_site: int | None = Field(default=None)
    engineer_ids: list[UUID] = Field(sa_type=postgresql.ARRAY(sa.Uuid()))
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class FollowUp(IntakeTable, table=True):
    """IN-7: a phone follow-up (回访) after the work."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        sa.Index("ix_follow_ups_ticket_id_called_at_id", "ticket_id", "called_at", "id"),
    )
    id: UUID = Field(primary_key=True)
    ticket_id: UUID = Field(foreign_key="intake.tickets.id")
    called_by: str = Field(max_length=200)
    called_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    outcome: str = Field(max_length=32)
    notes: str | None = Field(default=None, max_length=2_000)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class RepeatFailure(IntakeTable, table=True):
    """IV-3: a serial's second hardware fault in warranty, reported once per pair of tickets."""

    __tablename__ = "repeat_failures"
    __table_args__ = (
        sa.UniqueConstraint(
            "earlier_ticket_id", "ticket_id", name="uq_repeat_failures_earlier_ticket_id_ticket_id"
        ),
    )
    id: UUID = Field(primary_key=True)
    serial: str = Field(max_length=100, index=True)
    manufacturer: str = Field(max_length=100)
    earlier_ticket_id: UUID = Field(foreign_key="intake.tickets.id")
    ticket_id: UUID = Field(foreign_key="intake.tickets.id")
    detected_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
