"""What clients send and receive about duty contacts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from services.intake.contacts.roster import Role
from services.intake.patch import PatchBody
from shared.http.bodies import NOT_BLANK, StrictBody

Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK)]
# Digits with the usual separators and an optional leading +: what a duty phone can dial.
Phone = Annotated[str, Field(min_length=3, max_length=32, pattern=r"^\+?[0-9][0-9 ()-]*[0-9]$",
                             examples=["+86 10 6512 3456"])]
Email = Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class ContactCreate(StrictBody):
    name: Name
    phone: Phone
    email: Email | None = None
    role: Role = Field(description="IN-11: one primary and up to two secondary per customer")


class ContactPatch(PatchBody):
    nullable = frozenset({"email"})
    name: Name | SkipJsonSchema[None] = None
    phone: Phone | SkipJsonSchema[None] = None
    email: Email | None = None
    role: Role | SkipJsonSchema[None] = None


class ContactPublic(BaseModel):
    id: UUID
    customer_id: UUID
    name: str
    phone: str
    email: str | None
    role: Role
    created_at: datetime
    updated_at: datetime
