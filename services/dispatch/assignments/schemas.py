"""What clients send and receive about assignments."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from services.dispatch.assignments.lifecycle import AssignmentStatus


class AssignmentPublic(BaseModel):
    id: UUID
    ticket_id: UUID
    engineer_id: UUID
    status: AssignmentStatus
    role: str
    assigned_at: datetime
    respond_by: datetime | None
    accepted_at: datetime | None
