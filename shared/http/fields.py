"""Field types several services' bodies share: a place on Earth, its time zone, a region."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field

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


_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def _within_our_era(at: datetime) -> datetime:
    """A bound of a query, brought within years a record can hold: `since=0001-01-01` means
    since the first record. Years 1 and 9999 in another zone overflow when turned to UTC, which
    PostgreSQL's driver would answer with a 500."""
    try:
        utc = at.astimezone(UTC)
    except OverflowError:
        return _EARLIEST if at.year < 5000 else _LATEST
    return min(max(utc, _EARLIEST), _LATEST)


# A query's point in time, with its zone; held within the years a record can hold.
Instant = Annotated[AwareDatetime, AfterValidator(_within_our_era)]
