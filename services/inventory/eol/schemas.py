"""What clients send and receive about end of production (IV-5)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Self
from uuid import UUID

from pydantic import BaseModel, Field, model_validator

from services.inventory.eol.rules import Scope
from services.inventory.parts.rules import PART_NUMBER
from shared.http.bodies import NOT_BLANK, StrictBody


class EolCreate(StrictBody):
    manufacturer: str = Field(min_length=1, max_length=64, pattern=NOT_BLANK)
    part_number: str | None = Field(
        None, pattern=PART_NUMBER.pattern, max_length=64, description="Exactly one of this or model"
    )
    model: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        pattern=NOT_BLANK,
        description="The whole model ends: exactly one of this or part_number",
    )
    end_of_production: date

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
