"""Field types several services' bodies share: a place on Earth, its time zone, a region."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from shared.http.bodies import NOT_BLANK
from shared.timezones import iana_zone, zones

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
