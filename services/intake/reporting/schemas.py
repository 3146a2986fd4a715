"""The reports' answers in JSON (CSV carries the same figures)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field


class SlaLinePublic(BaseModel):
    met: int
    breached: int
    met_share: float | None = Field(description="met / (met + breached); null when neither")


class MonthlyReport(BaseModel):
    month: str
    timezone: str = Field(description="Months are cut in this zone")
    from_: datetime = Field(alias="from", description="Start of the month (inclusive), UTC")
    to: datetime = Field(description="End of the month (exclusive), UTC")
    customer_id: UUID | None = Field(description="null: every customer")
    tickets_by_priority: dict[str, int] = Field(description="Tickets created in the month")
    tickets_by_channel: dict[str, int]
    sla: dict[str, SlaLinePublic] = Field(
        description="SLA clocks settled in the month, by kind (from sla.met and sla.breached)"
    )
    mean_rating: float | None = Field(description="Ratings recorded in the month; null when none")
    ratings: int
    repeat_failures: int | None = Field(description="null: not recorded by intake yet")


class EngineerLinePublic(BaseModel):
    engineer_id: UUID
    tickets_completed: int
    share_of_work: float | None
    on_time_share: float | None = Field(description="Completed tickets whose restore SLA was met")
    mean_rating: float | None
    ratings: int


class EngineersReport(BaseModel):
    month: str
    timezone: str
    from_: datetime = Field(alias="from")
    to: datetime
    tickets_completed: int = Field(
        description="Tickets resolved in the month with an engineer on them"
    )
    engineers: list[EngineerLinePublic]
