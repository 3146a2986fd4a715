"""What clients send and receive about locations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field

from services.inventory.locations.rules import LocationKind
from shared.http.bodies import NOT_BLANK, StrictBody
from shared.http.fields import Latitude, Longitude

NAME_LENGTH = 100
LocationName = Annotated[str, Field(min_length=1, max_length=NAME_LENGTH, pattern=NOT_BLANK)]


class LocationCreate(StrictBody):
    name: LocationName
    kind: LocationKind
    latitude: Latitude
    longitude: Longitude


class LocationPublic(BaseModel):
    id: UUID
    name: str
    kind: LocationKind
    latitude: float
    longitude: float
    created_at: datetime
