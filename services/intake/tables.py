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
    status: str = Field(max_length=16)
    region: str | None = Field(default=None, max_length=64)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    # --- ticket entry (IN-1, IN-10): when it was reported, by and about what, what it is entitled to
    reported_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    contact_id: UUID | None = Field(default=None, foreign_key="intake.contacts.id")
    site_id: UUID | None = Field(default=None, foreign_key="intake.sites.id")
    asset_id: UUID | None = Field(default=None, foreign_key="intake.assets.id")
    asset_serial: str | None = Field(default=None, max_length=100)
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
