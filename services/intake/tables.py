"""Intake's tables, all in schema "intake"."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
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
    status: str = Field(max_length=16)
    region: str | None = Field(default=None, max_length=64)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
