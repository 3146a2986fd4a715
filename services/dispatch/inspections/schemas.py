"""What clients send and receive about inspections."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field, StrictBool

from services.dispatch.inspections.rules import InspectionStatus, ReadingName, Readings
from shared.http.bodies import NOT_BLANK, StrictBody, json_number

# A measurement is a JSON number: not true, not "231", not NaN. The Field comes first: after
# the validator its bounds would not reach the document.
Volts = Annotated[
    float,
    Field(ge=0, le=1000, allow_inf_nan=False, description="Supply voltage, V (DS-8: 198–242)"),
    BeforeValidator(json_number),
]
Hertz = Annotated[
    float,
    Field(ge=0, le=1000, allow_inf_nan=False, description="Supply frequency, Hz (DS-8: 49–51)"),
    BeforeValidator(json_number),
]
Ohms = Annotated[
    float,
    Field(ge=0, allow_inf_nan=False, description="Earth resistance, Ω (DS-8: below 1)"),
    BeforeValidator(json_number),
]
UpsLoad = Annotated[
    float,
    Field(ge=0, le=1000, allow_inf_nan=False, description="UPS load, % of its rating (recorded)"),
    BeforeValidator(json_number),
]
Celsius = Annotated[
    float,
    Field(ge=-80, le=120, allow_inf_nan=False, description="Room temperature, °C (DS-8: 5–35)"),
    BeforeValidator(json_number),
]
Humidity = Annotated[
    float,
    Field(ge=0, le=100, allow_inf_nan=False, description="Relative humidity, % (DS-8: 30–85)"),
    BeforeValidator(json_number),
]
Remedy = Annotated[str, Field(min_length=1, max_length=2000, pattern=NOT_BLANK)]
Text = Annotated[str, Field(min_length=1, max_length=10_000, pattern=NOT_BLANK)]
Month = Annotated[str, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]


class ReadingsBody(StrictBody):
    """DS-8's site check: every reading is required."""

    supply_voltage_v: Volts
    frequency_hz: Hertz
    earth_resistance_ohm: Ohms
    ups_output_sufficient: StrictBool = Field(description="DS-8: the UPS output is sufficient")
    ups_load_percent: UpsLoad
    room_temperature_c: Celsius
    humidity_percent: Humidity
    em_interference: StrictBool = Field(description="Strong electromagnetic interference found")
    corrosives: StrictBool = Field(description="Corrosive substances found")

    def readings(self) -> Readings:
        return Readings(**self.model_dump())


class InspectionReportCreate(StrictBody):
    readings: ReadingsBody
    remedies: dict[ReadingName, Remedy] = Field(
        default_factory=dict,
        description="DS-8: the remedy for each reading outside its limits, by reading",
    )
    findings: Text = Field(description="What the engineer found on site")
    advice: Text = Field(description="DS-6: optimisation advice for the customer")
    occurred_at: AwareDatetime = Field(
        description="When the inspection was done (the phone's time)"
    )


class NonconformityPublic(BaseModel):
    reading: ReadingName
    value: float | bool
    limit: str
    remedy: str


class InspectionReportPublic(BaseModel):
    readings: dict[ReadingName, float | bool]
    nonconformities: list[NonconformityPublic]
    remedies: dict[ReadingName, str]
    findings: str
    advice: str
    occurred_at: datetime
    filed_by: str


class InspectionPublic(BaseModel):
    id: UUID
    contract_id: UUID
    site_id: UUID | None = Field(description="The customer's first site; none: scheduled in UTC")
    customer_id: UUID
    month: str = Field(description="YYYY-MM, in the site's time zone")
    engineer_id: UUID | None = Field(
        description="The contract's resident engineer, else the least-loaded of the region"
    )
    status: InspectionStatus
    due_by: date = Field(description="The month's last day")
    scheduled_at: datetime
    completed_at: datetime | None
    report: InspectionReportPublic | None
