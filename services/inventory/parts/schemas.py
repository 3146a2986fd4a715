"""What clients send and receive about parts. Only staff read these: a part's unit cost is
internal, and a vendor's answers come from the availability endpoints, without it."""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema, field_validator
from pydantic.json_schema import SkipJsonSchema

from services.inventory.parts.rules import PART_NUMBER, Condition, names_a_sub_resource
from shared.http.bodies import NOT_BLANK, StrictBody, json_number
from shared.http.patch import PatchBody

Manufacturer = Annotated[str, Field(min_length=1, max_length=64, pattern=NOT_BLANK)]
Description = Annotated[str, Field(min_length=1, max_length=500, pattern=NOT_BLANK)]
Model = Annotated[str, Field(min_length=1, max_length=100, pattern=NOT_BLANK)]
Models = Annotated[list[Model], Field(max_length=100)]
CENT = Decimal("0.01")


def cents(value: Any) -> Decimal:
    """Money as a JSON number with at most 2 decimals (the column is numeric(12, 2)). A float
    that is a whole number of cents up to binary noise (0.35000000000000003) is that many
    cents; a string "12.50" is refused like any other non-number."""
    json_number(value)
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    amount = Decimal(str(value))
    if not 0 <= amount < 10**10:
        return amount  # refused by the field's bounds, naming them
    rounded = amount.quantize(CENT)
    if abs(amount - rounded) > Decimal("1e-9"):
        raise ValueError("at most 2 decimals")
    return rounded


UnitCost = Annotated[
    Decimal,
    Field(ge=0, lt=10**10),
    BeforeValidator(cents),
    WithJsonSchema(
        {
            "type": "number",
            "minimum": 0,
            "exclusiveMaximum": 10**10,
            "multipleOf": 0.01,
            "description": "What one unit costs us, at most 2 decimals; internal (IV-7)",
        }
    ),
]
ReorderPointValue = Annotated[int, Field(ge=0, le=10_000), BeforeValidator(json_number)]


class PartCreate(StrictBody):
    part_number: str = Field(pattern=PART_NUMBER.pattern, max_length=64)
    manufacturer: Manufacturer
    description: Description
    models: Models = []
    original: bool = Field(default=True, description="Made by the manufacturer (IV-4)")
    condition: Condition = Condition.new
    unit_cost: UnitCost = Field(default=Decimal(0), json_schema_extra={"default": 0})

    @field_validator("part_number")
    @classmethod
    def _not_a_route(cls, part_number: str) -> str:
        if names_a_sub_resource(part_number):
            raise ValueError(
                f"a part number may not end in /{part_number.rpartition('/')[2]}: "
                "it would be read as that route of another part"
            )
        return part_number


class PartPatch(PatchBody):
    """Only the fields given change; the part number and manufacturer are what the part is."""

    description: Description | SkipJsonSchema[None] = None
    models: Models | SkipJsonSchema[None] = None
    original: bool | SkipJsonSchema[None] = None
    condition: Condition | SkipJsonSchema[None] = None
    unit_cost: UnitCost | SkipJsonSchema[None] = None

    def fields(self) -> dict[str, Any]:
        given = self.changes()
        if "condition" in given:
            given["condition"] = given["condition"].value
        return given


class ReorderPointSet(StrictBody):
    location_id: UUID
    reorder_point: ReorderPointValue


class PartPublic(BaseModel):
    part_number: str
    manufacturer: str
    description: str
    models: list[str]
    original: bool
    condition: Condition
    unit_cost: float
    created_at: datetime
    updated_at: datetime


class ReorderPointPublic(BaseModel):
    part_number: str
    location_id: UUID
    reorder_point: int
