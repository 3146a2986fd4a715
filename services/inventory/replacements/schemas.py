"""What clients receive about replacement orders (IV-3)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from services.inventory.replacements.rules import ReplacementStatus


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
