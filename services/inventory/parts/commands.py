"""What a route asks of the parts catalogue."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RegisterPart:
    part_number: str
    vendor: str
    description: str
