"""IN-5 and IV-3: what a service report must say, and when a resolution is a repeat failure. Pure."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from shared.errors import DomainError, NotFound


class FaultType(StrEnum):
    hardware = "hardware"
    software = "software"
    configuration = "configuration"


class Source(StrEnum):
    centre = "centre"  # fixed by phone, resolved by the service centre
    engineer = "engineer"  # assignment.completed, from the engineer's phone


@dataclass(frozen=True, slots=True)
class Part:
    part_number: str
    serial_out: str | None = None
    serial_in: str | None = None
    quantity: int = 1


@dataclass(frozen=True, slots=True)
class Report:
    """What whoever fixed the fault says about it."""

    work_done: str
    root_cause: str
    fault_type: FaultType
    parts_used: tuple[Part, ...] = ()
    minutes_on_site: int | None = None
    engineer_ids: tuple[UUID, ...] = ()


@dataclass(frozen=True, slots=True)
class ServiceReport:
    """A report as kept: one per resolution, so a reopened ticket keeps its history."""

    id: UUID
    ticket_id: UUID
    resolved_at: datetime
    source: Source
    assignment_id: UUID | None
    report: Report
    recorded_by: str
    recorded_at: datetime


class RepeatedSerial(DomainError):
    title = "A serial appears twice in the parts used"


class NoReport(NotFound):
    title = "No service report"


def check_parts(parts: tuple[Part, ...]) -> None:
    """A serial names one physical part: it leaves or enters a machine once per report.

    A part taken out and put back (serial_out = serial_in) was not used, so that too repeats.
    """
    serials = Counter(s for p in parts for s in (p.serial_out, p.serial_in) if s is not None)
    repeated = sorted(s for s, n in serials.items() if n > 1)
    if repeated:
        raise RepeatedSerial(
            f"serial {', '.join(repeated)} appears more than once in the parts used",
            field="report.parts_used",
            serials=repeated,
        )


def is_repeat_failure(
    fault_type: FaultType, *, in_warranty: bool, earlier_ticket_id: UUID | None
) -> bool:
    """IV-3: a hardware fault, in warranty, on a serial that had one on another ticket before."""
    return fault_type is FaultType.hardware and in_warranty and earlier_ticket_id is not None


def parts_json(parts: tuple[Part, ...]) -> list[dict[str, Any]]:
    """The parts as stored and as events carry them (JSON types)."""
    return [
        {
            "part_number": p.part_number,
            "serial_out": p.serial_out,
            "serial_in": p.serial_in,
            "quantity": p.quantity,
        }
        for p in parts
    ]
