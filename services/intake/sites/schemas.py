"""What clients send and receive about sites."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from services.intake.patch import PatchBody
from services.intake.timezones import iana_zone, zones
from shared.http.bodies import NOT_BLANK, StrictBody

Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK)]
Address = Annotated[str, Field(min_length=1, max_length=500, pattern=NOT_BLANK)]
Latitude = Annotated[float, Field(strict=True, ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(strict=True, ge=-180, le=180, allow_inf_nan=False)]
# The zones listed in the document, so a client (and a fuzzer) knows exactly what is accepted.
TimeZone = Annotated[
    str,
    Field(
        description="IANA time zone, e.g. Asia/Shanghai",
        json_schema_extra={"enum": sorted(zones())},
    ),
    AfterValidator(iana_zone),
]
Region = Annotated[str, Field(min_length=1, max_length=64, pattern=NOT_BLANK)]


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
