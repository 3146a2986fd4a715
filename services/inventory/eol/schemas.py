"""What clients send and receive about end of production (IV-5)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from services.inventory.eol.rules import Scope
from services.inventory.parts.rules import PART_NUMBER
from shared.http.bodies import NOT_BLANK, StrictBody

PartNumber = Annotated[
    str,
    Field(pattern=PART_NUMBER.pattern, max_length=64, description="Exactly one of this or model"),
]
ModelName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=NOT_BLANK,
        description="The whole model ends: exactly one of this or part_number",
    ),
]


class EolCreate(StrictBody):
    # The document says what the validator below checks: one of the two, never both.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {"required": ["part_number"], "not": {"required": ["model"]}},
                {"required": ["model"], "not": {"required": ["part_number"]}},
            ]
        },
    )

    manufacturer: str = Field(min_length=1, max_length=64, pattern=NOT_BLANK)
    part_number: PartNumber | SkipJsonSchema[None] = None
    model: ModelName | SkipJsonSchema[None] = None
    end_of_production: date

    @field_validator("part_number", "model", mode="before")
    @classmethod
    def _left_out_not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may be left out, but not null")
        return value

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if (self.part_number is None) == (self.model is None):
            raise ValueError("give exactly one of part_number and model")
        return self


class EolPublic(BaseModel):
    id: UUID
    manufacturer: str
    scope: Scope
    part_number: str | None
    model: str | None
    models: list[str]
    end_of_production: date
    late_notice: bool = Field(description="Less than 6 months ahead: customers are told late")
    announced_at: datetime
    announced_by: str
