"""What clients send and receive about duty contacts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from services.intake.contacts.roster import Role
from shared.http.bodies import NOT_BLANK, StrictBody
from shared.http.patch import PatchBody

Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK)]
# Digits with the usual separators and an optional leading +: what a duty phone can dial.
PHONE_PATTERN = r"^\+?[0-9][0-9 ()-]*[0-9]$"
# Something@somewhere.tld with no control characters or spaces. Spelled out rather than \s,
# which JSON Schema (ECMA-262) and Python draw differently (NEL, \x1c-\x1f).
EMAIL_PATTERN = r"^[^@\x00-\x20\x7f-\xa0]+@[^@\x00-\x20\x7f-\xa0]+\.[^@\x00-\x20\x7f-\xa0]+$"
Phone = Annotated[str, Field(min_length=3, max_length=32, pattern=PHONE_PATTERN)]
Email = Annotated[str, Field(min_length=3, max_length=320, pattern=EMAIL_PATTERN)]


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
