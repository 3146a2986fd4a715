"""What clients receive about replacement orders (IV-3)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel


class ReplacementStatus(StrEnum):
    ordered = "ordered"
    delivered = "delivered"


class ReplacementPublic(BaseModel):
    id: UUID
    serial: str
    model: str
    manufacturer: str
    customer_id: UUID
    site_id: UUID
    earlier_ticket_id: UUID
    ticket_id: UUID
    status: ReplacementStatus
    ordered_at: datetime
