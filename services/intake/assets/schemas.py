"""What clients send and receive about the installed base."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from shared.http.bodies import NOT_BLANK, StrictBody
from shared.http.patch import PatchBody

Maker = Annotated[str, Field(min_length=1, max_length=100, pattern=NOT_BLANK)]
Model = Annotated[str, Field(min_length=1, max_length=100, pattern=NOT_BLANK)]
Serial = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=NOT_BLANK,
        description="As on the label; unique per manufacturer",
    ),
]


class AssetCreate(StrictBody):
    customer_id: UUID
    site_id: UUID = Field(description="A site of the same customer")
    contract_id: UUID = Field(description="A contract of the same customer")
    manufacturer: Maker
    model: Model
    serial: Serial
    accepted_on: date
    warranty_end: date | None = Field(
        default=None, description="IN-10: one year after acceptance when left out"
    )


class AssetPatch(PatchBody):
    """Only the fields given change. Serial and manufacturer name the asset and do not change."""

    site_id: UUID | SkipJsonSchema[None] = None
    contract_id: UUID | SkipJsonSchema[None] = None
    model: Model | SkipJsonSchema[None] = None
    accepted_on: date | SkipJsonSchema[None] = None
    warranty_end: date | SkipJsonSchema[None] = None


class AssetPublic(BaseModel):
    id: UUID
    customer_id: UUID
    site_id: UUID
    contract_id: UUID
    manufacturer: str
    model: str
    serial: str
    accepted_on: date
    warranty_end: date
    created_at: datetime
    updated_at: datetime
