"""What a route or an SLA breach asks of the loaner pool (IV-2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class RegisterLoaner:
    serial: str
    model: str
    manufacturer: str
    category: str
    location_id: UUID
    by: str


@dataclass(frozen=True, slots=True)
class DeclareModel:
    model: str
    manufacturer: str
    category: str


@dataclass(frozen=True, slots=True)
class CheckOut:
    serial: str
    ticket_id: UUID
    by: str
    due_back: datetime | None = None


@dataclass(frozen=True, slots=True)
class CheckIn:
    serial: str
    by: str
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class Retire:
    serial: str
