"""What a route, a sync job or an event handler asks of sites."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID


@dataclass(frozen=True, slots=True)
class RegisterSite:
    customer_id: UUID
    name: str
    address: str
    latitude: float
    longitude: float
    timezone: str
    region: str | None = None


@dataclass(frozen=True, slots=True)
class UpdateSite:
    site_id: UUID
    changes: Mapping[str, Any]  # only the fields given; the customer is not among them
