"""Escalation's tables, all in schema "escalation"."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
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
