"""What the vendor API answers (IV-7): availability only; no cost, customer, ticket, or on-hand
and reserved apart."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field


class LocationAvailable(BaseModel):
    location_id: UUID
    name: str
    kind: str
    latitude: float
    longitude: float
    available: int = Field(description="On hand less reserved here now; never 0 in a list")


class PartAvailability(BaseModel):
    part_number: str
    manufacturer: str
    available: int = Field(description="On hand less reserved, over every location")
    locations: list[LocationAvailable] = Field(
        description="Where any can be had now, by location name; empty when none anywhere"
    )


class VendorPartPublic(BaseModel):
    part_number: str
    description: str
    models: list[str]
    original: bool
    condition: str
    available: int
    locations: list[LocationAvailable]


class VendorPartsPage(BaseModel):
    items: list[VendorPartPublic]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page; null on the last page"
    )
