"""Dispatch's tables, all in schema "dispatch"."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Field

from shared.tables import schema_base

DispatchTable = schema_base("dispatch")
metadata = DispatchTable.metadata

# An assignment in one of these holds the engineer's time: it counts in their load, and a
# ticket never has two of them for one engineer.
LIVE_STATUSES = "('assigned', 'accepted', 'departed', 'on_site')"


class Engineer(DispatchTable, table=True):
    __tablename__ = "engineers"
    __table_args__ = (sa.Index("ix_engineers_created_at_id", "created_at", "id"),)
    id: UUID = Field(primary_key=True)
    name: str = Field(max_length=200)
    skills: list[str] = Field(sa_type=pg.ARRAY(sa.Text))
    certifications: list[str] = Field(
        sa_type=pg.ARRAY(sa.Text), sa_column_kwargs={"server_default": "{}"}
    )
    team: str = Field(max_length=16, sa_column_kwargs={"server_default": "site"})
    seniority: str = Field(max_length=16, sa_column_kwargs={"server_default": "maintainer"})
    regions: list[str] = Field(sa_type=pg.ARRAY(sa.Text), sa_column_kwargs={"server_default": "{}"})
    home_latitude: float | None = None
    home_longitude: float | None = None
    # The shift as sent: a built-in calendar's name ("cn-5x8") or an inline weekly definition.
    shift: dict = Field(sa_type=pg.JSONB, sa_column_kwargs={"server_default": '"24x7"'})
    on_call: list = Field(sa_type=pg.JSONB, sa_column_kwargs={"server_default": "[]"})
    capacity: int = Field(default=3, sa_column_kwargs={"server_default": "3"})
    status: str = Field(max_length=16, sa_column_kwargs={"server_default": "active"})
    # The engineer's load, kept with each assignment: counting assignments per decision grew
    # with every ticket ever assigned.
    active_assignments: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # The last position the phone reported; travel estimates start here, else at home.
    position_latitude: float | None = None
    position_longitude: float | None = None
    position_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class DispatchSite(DispatchTable, table=True):
    """Read model of intake's sites: where the work is, for travel and time zone."""

    __tablename__ = "sites"
    id: UUID = Field(primary_key=True)
    customer_id: UUID = Field(index=True)
    name: str = Field(max_length=200)
    address: str = Field(max_length=500)
    latitude: float
    longitude: float
    timezone: str = Field(max_length=64)
    region: str | None = Field(default=None, max_length=64)
    registered_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    # The time of the newest fact applied: an older `.updated` arriving late changes nothing.
    as_of: datetime = Field(sa_type=sa.DateTime(timezone=True))


class DispatchContract(DispatchTable, table=True):
    """Read model of intake's contracts: coverage, on-site terms, the resident engineer."""

    __tablename__ = "contracts"
    id: UUID = Field(primary_key=True)
    customer_id: UUID = Field(index=True)
    coverage: str = Field(max_length=8)
    emergency_onsite_7x24: bool
    onsite_minutes: int
    calendar: str = Field(max_length=64)
    warranty_start: date
    warranty_end: date
    resident_engineer_id: UUID | None = None
    as_of: datetime = Field(sa_type=sa.DateTime(timezone=True))


class DispatchTicket(DispatchTable, table=True):
    """Read model of intake's tickets: what dispatch needs to route them and brief the phone."""

    __tablename__ = "tickets"
    id: UUID = Field(primary_key=True)
    number: str = Field(max_length=32)
    priority: str = Field(max_length=2)
    category: str = Field(max_length=32)
    region: str | None = Field(default=None, max_length=64)
    unassigned_reason: str | None = Field(default=None, max_length=64)
    received_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    customer_id: UUID | None = None
    site_id: UUID | None = None
    contract_id: UUID | None = None
    summary: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    reported_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    coverage: str | None = Field(default=None, max_length=8)
    calendar: str | None = Field(default=None, max_length=64)
    contact: dict | None = Field(default=None, sa_type=pg.JSONB)
    # open; closed or cancelled: nothing more is assigned
    status: str = Field(default="open", max_length=16, sa_column_kwargs={"server_default": "open"})
    # The ladder's level as escalation last reported it (ES-4: level >= 2 brings an expert).
    escalation_level: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Decision(DispatchTable, table=True):
    """Every dispatch decision with each candidate weighed: why this engineer, why not the others."""

    __tablename__ = "decisions"
    __table_args__ = (sa.Index("ix_decisions_ticket", "ticket_id", "made_at", "id"),)
    id: UUID = Field(primary_key=True)
    ticket_id: UUID
    made_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    trigger: str = Field(max_length=32)
    want: str = Field(max_length=16)
    chosen: list = Field(sa_type=pg.JSONB)
    reason: str | None = Field(default=None, max_length=64)
    summary: str = Field(max_length=500)
    explanation: dict = Field(sa_type=pg.JSONB)


class Assignment(DispatchTable, table=True):
    __tablename__ = "assignments"
    __table_args__ = (
        # Never two live assignments of one engineer to one ticket, whatever is redelivered.
        sa.Index(
            "ux_assignments_live",
            "ticket_id",
            "engineer_id",
            unique=True,
            postgresql_where=sa.text(f"status IN {LIVE_STATUSES}"),
        ),
        sa.Index("ix_assignments_engineer", "engineer_id", "assigned_at", "id"),
        sa.Index("ix_assignments_engineer_status", "engineer_id", "status", "assigned_at", "id"),
        # The acceptance timer's scan: only what still waits for an answer.
        sa.Index(
            "ix_assignments_respond_by",
            "respond_by",
            postgresql_where=sa.text("status = 'assigned'"),
        ),
    )
    id: UUID = Field(primary_key=True)
    ticket_id: UUID = Field(index=True)
    engineer_id: UUID = Field(foreign_key="dispatch.engineers.id")
    status: str = Field(max_length=16)
    role: str = Field(default="lead", max_length=16, sa_column_kwargs={"server_default": "lead"})
    decision_id: UUID | None = None
    assigned_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    respond_by: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    onsite_due: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    accepted_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    departed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    arrived_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    completed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    ended_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # Why it ended other than completed: the decline's reason, "timed_out", "ticket.cancelled"
    reason: str | None = Field(default=None, max_length=500)
    depart_position: dict | None = Field(default=None, sa_type=pg.JSONB)
    arrive_position: dict | None = Field(default=None, sa_type=pg.JSONB)
    report: dict | None = Field(default=None, sa_type=pg.JSONB)
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class AssignmentAction(DispatchTable, table=True):
    """Each phone action as applied, at the phone's time: the assignment's history."""

    __tablename__ = "assignment_actions"
    __table_args__ = (sa.Index("ix_assignment_actions_assignment", "assignment_id", "seq"),)
    seq: int | None = Field(default=None, sa_type=sa.BigInteger, primary_key=True)
    assignment_id: UUID
    action: str = Field(max_length=16)
    occurred_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    received_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    by: str = Field(max_length=200)
    from_status: str = Field(max_length=16)
    to_status: str = Field(max_length=16)
    detail: dict = Field(sa_type=pg.JSONB, sa_column_kwargs={"server_default": "{}"})


class Inspection(DispatchTable, table=True):
    """DS-6: one on-site inspection per contract per month, with its site-check report."""

    __tablename__ = "inspections"
    __table_args__ = (
        # A restart or a second replica never makes two for one month.
        sa.UniqueConstraint("contract_id", "month", name="uq_inspections_contract_month"),
        sa.Index("ix_inspections_engineer", "engineer_id", "due_by", "id"),
    )
    id: UUID = Field(primary_key=True)
    contract_id: UUID
    site_id: UUID | None = None
    customer_id: UUID
    month: str = Field(max_length=7)
    engineer_id: UUID | None = None
    status: str = Field(max_length=16)
    due_by: date
    scheduled_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    completed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    report: dict | None = Field(default=None, sa_type=pg.JSONB)


class TicketPart(DispatchTable, table=True):
    """Read model of inventory's reservations (DS-3): the parts held for a ticket, where to
    pick them up, and those it still awaits. A reservation's row is keyed by its id; a
    backorder carries none, so it is one row per ticket and part, gone when the part arrives."""

    __tablename__ = "ticket_parts"
    __table_args__ = (
        sa.UniqueConstraint("reservation_id", name="uq_ticket_parts_reservation_id"),
        sa.Index(
            "ux_ticket_parts_backordered",
            "ticket_id",
            "part_number",
            unique=True,
            postgresql_where=sa.text("reservation_id IS NULL"),
        ),
        # The phone's brief reads only what is still to pick up or awaited.
        sa.Index(
            "ix_ticket_parts_open",
            "ticket_id",
            postgresql_where=sa.text("status IN ('reserved', 'backordered')"),
        ),
    )
    seq: int | None = Field(default=None, sa_type=sa.BigInteger, primary_key=True)
    reservation_id: UUID | None = None
    ticket_id: UUID
    part_number: str = Field(max_length=64)
    quantity: int
    location_id: UUID | None = None
    location_name: str | None = Field(default=None, max_length=200)
    # reserved, released, consumed; backordered (no reservation id)
    status: str = Field(max_length=16)
    # The time of the newest fact applied: an older one arriving late changes nothing.
    as_of: datetime = Field(sa_type=sa.DateTime(timezone=True))
