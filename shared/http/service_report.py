"""The service report as clients send it (IN-5): by the centre's resolve, or by the engineer's
phone with its completion. One body, so the two routes accept exactly the same report."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

from shared.events.intake import FaultType
from shared.http.bodies import NOT_BLANK, StrictBody, json_number

# The bounds before the validator, so the document shows them as JSON Schema bounds.
Quantity = Annotated[int, Field(ge=1, le=1000), BeforeValidator(json_number)]
MinutesOnSite = Annotated[
    int,
    Field(ge=0, le=100_000, description="None when fixed by phone"),
    BeforeValidator(json_number),
]


class PartUsedBody(StrictBody):
    part_number: str = Field(min_length=1, max_length=64, pattern=NOT_BLANK)
    serial_out: str | None = Field(
        default=None, min_length=1, max_length=100, pattern=NOT_BLANK, description="Taken out"
    )
    serial_in: str | None = Field(
        default=None, min_length=1, max_length=100, pattern=NOT_BLANK, description="Fitted"
    )
    quantity: Quantity = 1


class ServiceReportBody(StrictBody):
    """IN-5. A serial may appear once in the whole parts list (422 otherwise)."""

    work_done: str = Field(min_length=1, max_length=10_000, pattern=NOT_BLANK)
    root_cause: str = Field(min_length=1, max_length=2_000, pattern=NOT_BLANK)
    fault_type: FaultType
    parts_used: list[PartUsedBody] = Field(default_factory=list, max_length=100)
    minutes_on_site: MinutesOnSite | None = None
