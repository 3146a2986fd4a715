"""What a route or a CRM sync asks of contracts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from services.intake.contracts.rules import (
    Calendar,
    Coverage,
    LadderContact,
    Priority,
    StepLimitOverride,
    TargetOverride,
    Waiver,
)


@dataclass(frozen=True, slots=True)
class RegisterContract:
    customer_id: UUID
    coverage: Coverage
    emergency_onsite_7x24: bool
    onsite_minutes: int
    calendar: Calendar
    warranty_start: date
    warranty_end: date | None = None  # IN-10: one year from the start when not given
    targets: Mapping[Priority, TargetOverride] = field(default_factory=dict)
    step_limits: Mapping[Priority, StepLimitOverride] = field(default_factory=dict)
    originals_waiver: Waiver | None = None
    resident_engineer_id: UUID | None = None
    ladder: tuple[LadderContact, ...] = ()


@dataclass(frozen=True, slots=True)
class UpdateContract:
    contract_id: UUID
    changes: Mapping[str, Any]  # fields of `Contract`, already in its types
