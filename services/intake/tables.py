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


class Ticket(IntakeTable, table=True):
    __tablename__ = "tickets"
    __table_args__ = (sa.Index("ix_tickets_created_at_id", "created_at", "id"),)
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
    # --- the ticket's life (IN-4, IN-5, IV-3) ---
    # While awaiting the customer: the status `resume` returns to (see tickets/lifecycle.py).
    held_from: str | None = Field(default=None, max_length=32)
    # The latest resolution: the reopen window counts from it; a reopen clears it.
    resolved_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    closed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    cancelled_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # The asset the fault is on, when the report named one: repeat failures are found by serial.
    asset_serial: str | None = Field(default=None, max_length=100, index=True)
    asset_model: str | None = Field(default=None, max_length=100)
    site_id: UUID | None = Field(default=None, foreign_key="intake.sites.id")


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
        sa.Index("ix_knowledge_articles_search", "search", postgresql_using="gin"),
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
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


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
