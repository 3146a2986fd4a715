"""What a route or a CRM sync asks of duty contacts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from services.intake.contacts.roster import Role


@dataclass(frozen=True, slots=True)
class AddContact:
    customer_id: UUID
    name: str
    phone: str
    role: Role
    email: str | None = None


@dataclass(frozen=True, slots=True)
class UpdateContact:
    contact_id: UUID
    changes: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RemoveContact:
    contact_id: UUID
