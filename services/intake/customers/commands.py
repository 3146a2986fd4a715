"""What a route asks of customers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CreateCustomer:
    name: str
    region: str | None
