"""What a route asks of the locations."""

from __future__ import annotations

from dataclasses import dataclass

from services.inventory.locations.rules import LocationKind


@dataclass(frozen=True, slots=True)
class RegisterLocation:
    name: str
    kind: LocationKind
    latitude: float
    longitude: float
