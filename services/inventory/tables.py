"""Inventory's tables, all in schema "inventory"."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field

from shared.tables import schema_base

InventoryTable = schema_base("inventory")
metadata = InventoryTable.metadata


class Part(InventoryTable, table=True):
    __tablename__ = "parts"
    part_number: str = Field(primary_key=True, max_length=64)
    vendor: str = Field(index=True, max_length=64)
    description: str = Field(max_length=500)
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class Stock(InventoryTable, table=True):
    __tablename__ = "stock"
    __table_args__ = (
        sa.CheckConstraint("on_hand >= 0 AND reserved >= 0", name="ck_stock_non_negative"),
    )
    part_number: str = Field(
        primary_key=True, foreign_key="inventory.parts.part_number", max_length=64
    )
    warehouse: str = Field(primary_key=True, max_length=64)
    on_hand: int = 0
    reserved: int = 0


class Receipt(InventoryTable, table=True):
    """IV-6: every delivery booked into a warehouse, kept for the signed delivery list."""

    __tablename__ = "receipts"
    id: UUID = Field(primary_key=True)
    part_number: str = Field(foreign_key="inventory.parts.part_number", max_length=64, index=True)
    warehouse: str = Field(max_length=64)
    quantity: int
    received_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class InventoryTicket(InventoryTable, table=True):
    """Read model of intake's tickets: what reservations will be made against."""

    __tablename__ = "tickets"
    id: UUID = Field(primary_key=True)
    number: str = Field(max_length=32)
    priority: str = Field(max_length=2)
    received_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
