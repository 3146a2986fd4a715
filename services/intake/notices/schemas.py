"""Advisories and notices over HTTP."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.intake.notices.rules import NoticeStatus, Severity, Source
from shared.http.bodies import NOT_BLANK

# Not blank, in words both regex dialects read alike: what the schema accepts, the rule accepts.
Name = Annotated[str, Field(min_length=1, max_length=100, pattern=NOT_BLANK)]
Firmware = Annotated[str, Field(min_length=1, max_length=64, pattern=NOT_BLANK)]


class AdvisoryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    manufacturer: Name
    models: list[Name] = Field(min_length=1, max_length=100)
    firmware_from: Firmware | None = Field(
        default=None, description="Recorded with the advisory; assets do not record firmware yet"
    )
    firmware_to: Firmware | None = None
    text: str = Field(min_length=1, max_length=10_000, pattern=NOT_BLANK)
    severity: Severity = Field(
        description="critical: notices go out at once; major: within a day; minor: within 7 days"
    )
    reference: Name = Field(
        description="The manufacturer's advisory reference, unique per manufacturer"
    )


class AdvisoryPublic(BaseModel):
    id: UUID
    manufacturer: str
    models: list[str]
    firmware_from: str | None
    firmware_to: str | None
    text: str
    severity: Severity
    reference: str
    created_by: str
    created_at: datetime
    notice_count: int = Field(description="Customers told: one notice each")


class NoticeContactPublic(BaseModel):
    name: str
    phone: str
    email: str | None
    role: str


class NoticePublic(BaseModel):
    id: UUID
    customer_id: UUID
    source: Source
    advisory_id: UUID | None
    reference: str = Field(description="The advisory's reference, or the end-of-life part number")
    severity: Severity | None
    part_number: str | None
    end_of_production: date | None
    serials: list[str]
    contacts: list[NoticeContactPublic]
    send_by: datetime
    status: NoticeStatus = Field(description="pending until notice.due is emitted, then due")
    due_at: datetime | None
    created_at: datetime
