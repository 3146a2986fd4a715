"""Inventory's tables, all in schema "inventory"."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Field

from shared.tables import schema_base

InventoryTable = schema_base("inventory")
metadata = InventoryTable.metadata

TZ = sa.DateTime(timezone=True)


class Part(InventoryTable, table=True):
    """The catalogue (IV-1, IV-4): what a part is, who makes it, and what it costs us."""

    __tablename__ = "parts"
    part_number: str = Field(primary_key=True, max_length=64)
    manufacturer: str = Field(index=True, max_length=64)
    description: str = Field(max_length=500)
    models: list[str] = Field(sa_type=pg.ARRAY(sa.Text), sa_column_kwargs={"server_default": "{}"})
    # IV-4: only an original, new part may go to a customer without a signed waiver.
    original: bool = Field(sa_column_kwargs={"server_default": "true"})
    condition: str = Field(max_length=16, sa_column_kwargs={"server_default": "new"})
    # Internal: never in a vendor's answer (IV-7).
    unit_cost: Decimal = Field(sa_type=sa.Numeric(12, 2), sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(sa_type=TZ)
    updated_at: datetime = Field(sa_type=TZ)


class Location(InventoryTable, table=True):
    """Where stock is kept: headquarters, regional offices, on-site depots."""

    __tablename__ = "locations"
    id: UUID = Field(primary_key=True)
    name: str = Field(max_length=100, unique=True)
    kind: str = Field(max_length=16)
    latitude: float
    longitude: float
    created_at: datetime = Field(sa_type=TZ)


class ReorderPoint(InventoryTable, table=True):
    """Below this many available at a location, `stock.low` tells the ops team to restock."""

    __tablename__ = "reorder_points"
    part_number: str = Field(
        primary_key=True, foreign_key="inventory.parts.part_number", max_length=64
    )
    location_id: UUID = Field(primary_key=True, foreign_key="inventory.locations.id")
    reorder_point: int


class Movement(InventoryTable, table=True):
    """The stock ledger: append-only. Each row carries the balance after it, as a bank
    statement does, so a part's level at a location is its latest row and is never edited.
    `position` numbers the rows of one part at one location: two writers that both read
    balance n cannot both append row n + 1 (the unique key refuses the second)."""

    __tablename__ = "movements"
    __table_args__ = (
        sa.UniqueConstraint(
            "part_number", "location_id", "position", name="uq_movements_part_location_position"
        ),
        sa.CheckConstraint(
            "on_hand_after >= 0 AND reserved_after >= 0 AND reserved_after <= on_hand_after",
            name="ck_movements_balance",
        ),
        sa.Index("ix_movements_part_number_seq", "part_number", "seq"),
        sa.Index(
            "ix_movements_reservation_id",
            "reservation_id",
            postgresql_where=sa.text("reservation_id IS NOT NULL"),
        ),
    )
    seq: int | None = Field(default=None, sa_type=sa.BigInteger, primary_key=True)
    part_number: str = Field(foreign_key="inventory.parts.part_number", max_length=64)
    location_id: UUID = Field(foreign_key="inventory.locations.id")
    position: int
    kind: str = Field(max_length=16)
    on_hand_delta: int
    reserved_delta: int
    on_hand_after: int
    reserved_after: int
    reservation_id: UUID | None = None
    ticket_id: UUID | None = None
    # A delivery reference, a transfer id: what the movement was booked against.
    reference: str | None = Field(default=None, max_length=100)
    reason: str | None = Field(default=None, max_length=500)
    by: str = Field(max_length=200)
    at: datetime = Field(sa_type=TZ)


class Receipt(InventoryTable, table=True):
    """IV-6: a delivery booked in, its inspection due within 2 days, and the delivery list
    signed by both parties."""

    __tablename__ = "receipts"
    __table_args__ = (
        sa.Index(
            "ix_receipts_inspect_by",
            "inspect_by",
            postgresql_where=sa.text("inspected_at IS NULL"),
        ),
    )
    id: UUID = Field(primary_key=True)
    part_number: str = Field(foreign_key="inventory.parts.part_number", max_length=64, index=True)
    location_id: UUID = Field(foreign_key="inventory.locations.id")
    quantity: int
    delivery_reference: str = Field(max_length=100, unique=True)
    received_at: datetime = Field(sa_type=TZ)
    received_by: str = Field(max_length=200)
    inspect_by: datetime = Field(sa_type=TZ)
    inspected_at: datetime | None = Field(default=None, sa_type=TZ)
    accepted_quantity: int | None = None
    inspection_notes: str | None = Field(default=None, max_length=2000)
    # The delivery list in duplicate: one copy signed by us, one by the customer or carrier.
    signed_by_us: str | None = Field(default=None, max_length=200)
    signed_by_counterparty: str | None = Field(default=None, max_length=200)
    counterparty: str | None = Field(default=None, max_length=16)


class Transfer(InventoryTable, table=True):
    __tablename__ = "transfers"
    id: UUID = Field(primary_key=True)
    part_number: str = Field(foreign_key="inventory.parts.part_number", max_length=64, index=True)
    from_location_id: UUID = Field(foreign_key="inventory.locations.id")
    to_location_id: UUID = Field(foreign_key="inventory.locations.id")
    quantity: int
    at: datetime = Field(sa_type=TZ)
    by: str = Field(max_length=200)


class Reservation(InventoryTable, table=True):
    """A part held for a ticket (IV-1, DS-3): reserved -> picked -> consumed or returned;
    released on cancellation or expiry; backordered while no location has it."""

    __tablename__ = "reservations"
    __table_args__ = (
        # Backorders are served oldest first when stock arrives.
        sa.Index(
            "ix_reservations_backordered",
            "part_number",
            "requested_at",
            postgresql_where=sa.text("status = 'backordered'"),
        ),
        sa.Index(
            "ix_reservations_expires_at",
            "expires_at",
            postgresql_where=sa.text("status = 'reserved'"),
        ),
    )
    id: UUID = Field(primary_key=True)
    ticket_id: UUID = Field(index=True)
    part_number: str = Field(foreign_key="inventory.parts.part_number", max_length=64)
    location_id: UUID | None = Field(default=None, foreign_key="inventory.locations.id")
    quantity: int
    status: str = Field(max_length=16)
    # IV-4: the customer's signed permission this third-party or refurbished part relies on.
    waiver_reference: str | None = Field(default=None, max_length=100)
    requested_by: str = Field(max_length=200)
    requested_at: datetime = Field(sa_type=TZ)
    reserved_at: datetime | None = Field(default=None, sa_type=TZ)
    expires_at: datetime | None = Field(default=None, sa_type=TZ)
    reason: str | None = Field(default=None, max_length=500)
    updated_at: datetime = Field(sa_type=TZ)


class InventorySite(InventoryTable, table=True):
    """Read model of intake's sites: where a ticket's part must go (nearest stock)."""

    __tablename__ = "sites"
    id: UUID = Field(primary_key=True)
    customer_id: UUID
    latitude: float
    longitude: float
    as_of: datetime = Field(sa_type=TZ)


class InventoryContract(InventoryTable, table=True):
    """Read model of intake's contracts: the originals waiver (IV-4), if the customer signed one."""

    __tablename__ = "contracts"
    id: UUID = Field(primary_key=True)
    customer_id: UUID
    waiver_reference: str | None = Field(default=None, max_length=100)
    waiver_signed_by: str | None = Field(default=None, max_length=200)
    waiver_signed_at: datetime | None = Field(default=None, sa_type=TZ)
    as_of: datetime = Field(sa_type=TZ)


class InventoryTicket(InventoryTable, table=True):
    """Read model of intake's tickets: what reservations are made against."""

    __tablename__ = "tickets"
    id: UUID = Field(primary_key=True)
    number: str = Field(max_length=32)
    priority: str = Field(max_length=2)
    received_at: datetime = Field(sa_type=TZ)
    customer_id: UUID | None = None
    site_id: UUID | None = None
    contract_id: UUID | None = None
    asset_serial: str | None = Field(default=None, max_length=100)
    asset_manufacturer: str | None = Field(default=None, max_length=100)
    asset_model: str | None = Field(default=None, max_length=100)
    status: str = Field(max_length=16, sa_column_kwargs={"server_default": "open"})


class InventoryAsset(InventoryTable, table=True):
    """Read model of intake's installed base: what a customer runs, for loaners and
    replacements (IV-2, IV-3)."""

    __tablename__ = "assets"
    serial: str = Field(primary_key=True, max_length=100)
    asset_id: UUID
    manufacturer: str = Field(max_length=100)
    model: str = Field(max_length=100, index=True)
    customer_id: UUID
    site_id: UUID
    contract_id: UUID
    as_of: datetime = Field(sa_type=TZ)


class ProductModel(InventoryTable, table=True):
    """A product model's maker and category: what makes another model "similar" (IV-2)."""

    __tablename__ = "product_models"
    model: str = Field(primary_key=True, max_length=100)
    manufacturer: str = Field(max_length=100)
    category: str = Field(max_length=64)


class Loaner(InventoryTable, table=True):
    """IV-2: a serialized unit lent to a customer while theirs is repaired."""

    __tablename__ = "loaners"
    serial: str = Field(primary_key=True, max_length=100)
    model: str = Field(max_length=100, index=True)
    manufacturer: str = Field(max_length=100)
    category: str = Field(max_length=64)
    location_id: UUID = Field(foreign_key="inventory.locations.id")
    status: str = Field(max_length=16)
    created_at: datetime = Field(sa_type=TZ)
    updated_at: datetime = Field(sa_type=TZ)


class Loan(InventoryTable, table=True):
    """One loaner's time with one customer. A unit is out at most once at a time."""

    __tablename__ = "loans"
    __table_args__ = (
        sa.Index(
            "uq_loans_out",
            "loaner_serial",
            unique=True,
            postgresql_where=sa.text("returned_at IS NULL"),
        ),
        sa.Index("ix_loans_due_back", "due_back", postgresql_where=sa.text("returned_at IS NULL")),
    )
    id: UUID = Field(primary_key=True)
    loaner_serial: str = Field(foreign_key="inventory.loaners.serial", max_length=100)
    ticket_id: UUID = Field(index=True)
    customer_id: UUID
    checked_out_at: datetime = Field(sa_type=TZ)
    checked_out_by: str = Field(max_length=200)
    due_back: datetime = Field(sa_type=TZ)
    returned_at: datetime | None = Field(default=None, sa_type=TZ)
    returned_by: str | None = Field(default=None, max_length=200)
    return_notes: str | None = Field(default=None, max_length=2000)


class LoanerDue(InventoryTable, table=True):
    """IV-2: a ticket whose repair ran past 5 working days is owed a loaner, once; it waits
    here until one is out."""

    __tablename__ = "loaners_due"
    ticket_id: UUID = Field(primary_key=True)
    clock_id: UUID
    model: str | None = Field(default=None, max_length=100)
    due_since: datetime = Field(sa_type=TZ)
    loan_id: UUID | None = Field(default=None, foreign_key="inventory.loans.id")
    status: str = Field(max_length=16)


class Replacement(InventoryTable, table=True):
    """IV-3: a product that failed twice is replaced by a new unit of the same model, once per
    repeat failure."""

    __tablename__ = "replacements"
    __table_args__ = (
        sa.UniqueConstraint(
            "serial", "earlier_ticket_id", "ticket_id", name="uq_replacements_failure"
        ),
    )
    id: UUID = Field(primary_key=True)
    serial: str = Field(max_length=100, index=True)
    model: str = Field(max_length=100)
    manufacturer: str = Field(max_length=100)
    customer_id: UUID
    site_id: UUID
    earlier_ticket_id: UUID
    ticket_id: UUID
    status: str = Field(max_length=16)
    ordered_at: datetime = Field(sa_type=TZ)


class EolAnnouncement(InventoryTable, table=True):
    """IV-5: a manufacturer's end of production for a part or a whole model."""

    __tablename__ = "eol_announcements"
    id: UUID = Field(primary_key=True)
    manufacturer: str = Field(max_length=64, index=True)
    part_number: str | None = Field(default=None, max_length=64)
    model: str | None = Field(default=None, max_length=100)
    models: list[str] = Field(sa_type=pg.ARRAY(sa.Text))
    end_of_production: date
    late_notice: bool
    announced_at: datetime = Field(sa_type=TZ)
    announced_by: str = Field(max_length=200)
