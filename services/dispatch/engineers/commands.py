"""What a route asks of engineers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID


@dataclass(frozen=True, slots=True)
class RegisterEngineer:
    """`fields`: name, skills, certifications, team, seniority, home, regions, shift, on_call,
    capacity, status, as the body's `fields()` gives them."""

    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class UpdateEngineer:
    engineer_id: UUID
    changes: dict[str, Any]
