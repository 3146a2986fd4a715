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
