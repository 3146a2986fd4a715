"""Dispatch's tables, all in schema "dispatch"."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Field

from shared.tables import schema_base

DispatchTable = schema_base("dispatch")
metadata = DispatchTable.metadata


class Engineer(DispatchTable, table=True):
    __tablename__ = "engineers"
    id: UUID = Field(primary_key=True)
    name: str = Field(max_length=200)
    skills: list[str] = Field(sa_type=pg.ARRAY(sa.Text))
    region: str | None = Field(default=None, max_length=64)
    active: bool = True
    # The engineer's load, kept with each assignment: counting assignments per decision grew
    # with every ticket ever assigned.
    active_assignments: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class DispatchTicket(DispatchTable, table=True):
    """Read model of intake's tickets: what dispatch needs to route them."""

    __tablename__ = "tickets"
    id: UUID = Field(primary_key=True)
    number: str = Field(max_length=32)
    priority: str = Field(max_length=2)
    category: str = Field(max_length=32)
    region: str | None = Field(default=None, max_length=64)
    unassigned_reason: str | None = Field(default=None, max_length=64)
    received_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class Assignment(DispatchTable, table=True):
    __tablename__ = "assignments"
    __table_args__ = (
        # Never two live assignments of one engineer to one ticket, whatever is redelivered.
        sa.Index(
            "ux_assignments_live",
            "ticket_id",
            "engineer_id",
            unique=True,
            postgresql_where=sa.text("status IN ('assigned', 'accepted')"),
        ),
        sa.Index("ix_assignments_engineer", "engineer_id", "assigned_at", "id"),
        sa.Index("ix_assignments_engineer_status", "engineer_id", "status", "assigned_at", "id"),
    )
    id: UUID = Field(primary_key=True)
    ticket_id: UUID = Field(index=True)
    engineer_id: UUID = Field(foreign_key="dispatch.engineers.id")
    status: str = Field(max_length=16)
    assigned_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    accepted_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
