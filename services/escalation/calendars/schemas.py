"""What clients send and receive about calendars."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, Field
from pydantic.json_schema import SkipJsonSchema

from services.escalation.calendars.rules import (
    MAX_PREVIEW_MINUTES,
    NAME_MAX_LENGTH,
    NAME_PATTERN,
    Amendment,
    zones,
)
from shared.businesstime import WEEKDAYS
from shared.http.bodies import StrictBody, json_number
from shared.http.patch import PatchBody

# Each weekday and each span running forward within the week (mon-fri, sat-sun): the document
# says which keys are accepted, rather than the rules refusing "fri-mon" after the fact.
_KEYS = [*WEEKDAYS] + [f"{a}-{b}" for n, a in enumerate(WEEKDAYS) for b in WEEKDAYS[n + 1 :]]
_START = "([01][0-9]|2[0-3]):[0-5][0-9]"
_END = f"({_START}|24:00)"

CalendarName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=NAME_MAX_LENGTH,
        pattern=NAME_PATTERN,
        description="A slug: a-z, 0-9, '.', '_', '-' (e.g. acme-5x8)",
    ),
]
Key = Annotated[str, Field(pattern=f"^({'|'.join(_KEYS)})$")]
RangeText = Annotated[str, Field(pattern=f"^{_START}-{_END}$")]
Pair = tuple[
    Annotated[str, Field(pattern=f"^{_START}$")], Annotated[str, Field(pattern=f"^{_END}$")]
]
Ranges = Annotated[
    dict[Key, Annotated[list[RangeText | Pair], Field(max_length=24)]],
    Field(
        min_length=1,
        max_length=28,
        description="Working ranges per weekday or span of weekdays, each `HH:MM-HH:MM` or a "
        'pair, end up to 24:00; e.g. {"mon-fri": [["08:30", "12:00"], ["13:00", "17:30"]]}. '
        "A weekday in several keys adds up; ranges on one day may not overlap.",
    ),
]


def _zone(name: str) -> str:
    if name not in zones():
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. Asia/Shanghai)")
    return name


TimeZone = Annotated[
    str,
    Field(
        description="IANA time zone, e.g. Asia/Shanghai",
        json_schema_extra={"enum": sorted(zones())},
    ),
    AfterValidator(_zone),
]
Dates = Annotated[list[date], Field(max_length=1000)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1), BeforeValidator(json_number)]


class CalendarCreate(StrictBody):
    name: CalendarName
    timezone: TimeZone
    ranges: Ranges
    holidays: Dates = Field(default=[], description="Days off, whatever their weekday")
    workdays: Dates = Field(
        default=[],
        description="Make-up working days (a weekend day worked for a holiday's bridge day); "
        "each works Monday's ranges. A date may not also be a holiday.",
    )


class CalendarPatch(PatchBody):
    """Only the fields sent change; `holidays` and `workdays` replace the lists, the `add_` and
    `remove_` fields change them date by date."""

    timezone: TimeZone | SkipJsonSchema[None] = None
    ranges: Ranges | SkipJsonSchema[None] = None
    holidays: Dates | SkipJsonSchema[None] = None
    workdays: Dates | SkipJsonSchema[None] = None
    add_holidays: Dates | SkipJsonSchema[None] = None
    remove_holidays: Dates | SkipJsonSchema[None] = None
    add_workdays: Dates | SkipJsonSchema[None] = None
    remove_workdays: Dates | SkipJsonSchema[None] = None
    version: Version | SkipJsonSchema[None] = Field(
        default=None,
        description="The version you read: if the calendar has changed since, 409 and nothing "
        "changes",
    )

    def amendment(self) -> Amendment:
        return Amendment(
            timezone=self.timezone,
            ranges=self.ranges,
            holidays=self.holidays,
            workdays=self.workdays,
            add_holidays=self.add_holidays or (),
            remove_holidays=self.remove_holidays or (),
            add_workdays=self.add_workdays or (),
            remove_workdays=self.remove_workdays or (),
        )


class CalendarPublic(BaseModel):
    name: str
    built_in: bool = Field(description="24x7 and cn-5x8: read and used, never changed")
    timezone: str
    ranges: dict[str, list[str]] = Field(description="As defined (spans stay spans)")
    week: dict[str, list[str]] = Field(description="What the ranges add up to, day by day")
    minutes_per_week: int
    holidays: list[date] = Field(
        description="cn-5x8: China's published days off, this year and next"
    )
    workdays: list[date] = Field(description="Make-up working days")
    version: int = Field(description="Bumped by each change that changes something")
    created_at: datetime | None
    updated_at: datetime | None
    created_by: str | None


Minutes = Annotated[
    float, Field(ge=0, le=MAX_PREVIEW_MINUTES, allow_inf_nan=False), BeforeValidator(json_number)
]


class DueRequest(StrictBody):
    start: AwareDatetime = Field(description="When the clock starts, with its UTC offset")
    minutes: Minutes = Field(description="Business minutes to run, at most a year's (525600)")
    pauses: Annotated[list[tuple[AwareDatetime, AwareDatetime]], Field(max_length=1000)] = Field(
        default=[],
        description="[from, to] pairs during which the clock stands still (awaiting the "
        "customer, a part on back order)",
    )


class DuePublic(BaseModel):
    calendar: str
    timezone: str = Field(description="The calendar's time zone")
    start: datetime
    minutes: float
    due: datetime = Field(description="When the minutes have run, in the start's UTC offset")
    business_minutes: float = Field(description="Business minutes counted from start to due")
    paused_minutes: float = Field(description="Business minutes the pauses held the clock")
