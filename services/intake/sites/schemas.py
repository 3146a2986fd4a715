"""What clients send and receive about sites."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from shared.http.bodies import NOT_BLANK, StrictBody
from shared.http.fields import Latitude, Longitude, Region, TimeZone
from shared.http.patch import PatchBody

Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK)]
Address = Annotated[str, Field(min_length=1, max_length=500, pattern=NOT_BLANK)]


class SiteCreate(StrictBody):
    customer_id: UUID
    name: Name
    address: Address
    latitude: Latitude
    longitude: Longitude
    timezone: TimeZone
    region: Region | None = None


class SitePatch(PatchBody):
    """Only the fields given change; a site stays with its customer."""

    nullable = frozenset({"region"})
    name: Name | SkipJsonSchema[None] = None
    address: Address | SkipJsonSchema[None] = None
    latitude: Latitude | SkipJsonSchema[None] = None
    longitude: Longitude | SkipJsonSchema[None] = None
    timezone: TimeZone | SkipJsonSchema[None] = None
    region: Region | None = None


class SitePublic(BaseModel):
    id: UUID
    customer_id: UUID
    name: str
    address: str
    latitude: float
    longitude: float
    timezone: str
    region: str | None
    created_at: datetime
    updated_at: datetime
