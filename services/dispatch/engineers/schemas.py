"""What clients send and receive about engineers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from services.dispatch.assignments.decision import Skill
from services.dispatch.engineers.rules import EngineerStatus, Seniority, Team
from shared.businesstime import CALENDAR_NAMES
from shared.http.bodies import NOT_BLANK, StrictBody, json_number
from shared.http.fields import Latitude, Longitude, Region, TimeZone
from shared.http.patch import PatchBody

Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK)]
Certification = Annotated[str, Field(min_length=1, max_length=40, pattern=NOT_BLANK)]
HHMM = Annotated[str, Field(pattern=r"^\d{2}:\d{2}$")]
# Live assignments at most; a pool account a call centre drains may hold many.
Capacity = Annotated[int, Field(ge=1, le=1000), BeforeValidator(json_number)]


class Place(StrictBody):
    latitude: Latitude
    longitude: Longitude


class WeeklyShift(StrictBody):
    """Working ranges per weekday (`mon`, or a span `mon-fri`) in a time zone."""

    timezone: TimeZone
    ranges: dict[
        Annotated[str, Field(pattern=r"^[a-z]{3}(-[a-z]{3})?$")],
        list[Annotated[str, Field(pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")] | tuple[HHMM, HHMM]],
    ] = Field(
        min_length=1,
        max_length=7,
        description='e.g. {"mon-fri": ["08:30-12:00", "13:00-17:30"], "sat": [["09:00", "12:00"]]}',
    )

    def definition(self) -> dict[str, Any]:
        return {
            "timezone": self.timezone,
            "ranges": {
                day: [r if isinstance(r, str) else f"{r[0]}-{r[1]}" for r in ranges]
                for day, ranges in self.ranges.items()
            },
        }


BuiltInShift = Annotated[str, Field(json_schema_extra={"enum": list(CALENDAR_NAMES)})]
Shift = BuiltInShift | WeeklyShift


class OnCallPeriod(StrictBody):
    """DS-4/IN-10: a period the engineer answers 7x24 emergencies outside their shift."""

    from_: AwareDatetime = Field(alias="from")
    to: AwareDatetime

    @model_validator(mode="after")
    def _forward(self) -> OnCallPeriod:
        if self.to <= self.from_:
            raise ValueError("an on-call period ends after it starts")
        return self


OnCalls = Annotated[list[OnCallPeriod], Field(max_length=100)]
Skills = Annotated[list[Skill], Field(min_length=1, max_length=len(Skill))]
Certifications = Annotated[list[Certification], Field(max_length=20)]
Regions = Annotated[list[Region], Field(max_length=50)]


def _shift_value(shift: Shift) -> str | dict[str, Any]:
    return shift if isinstance(shift, str) else shift.definition()


class EngineerFields:
    """Turns a body's shift and periods into what the command carries."""

    @field_validator("shift", mode="before", check_fields=False)
    @classmethod
    def _known_shift(cls, value: Any) -> Any:
        if isinstance(value, str) and value not in CALENDAR_NAMES:
            raise ValueError(f"a built-in calendar ({', '.join(CALENDAR_NAMES)}) or a weekly shift")
        return value


class EngineerCreate(EngineerFields, StrictBody):
    name: Name
    skills: Skills
    certifications: Certifications = []
    team: Team = Team.site
    seniority: Seniority = Seniority.maintainer
    home: Place | None = None
    regions: Regions = []
    region: Region | None = Field(default=None, description="Shorthand for one region")
    shift: Shift = Field(default="24x7", description="A built-in calendar or a weekly shift")
    on_call: OnCalls = []
    capacity: Capacity = 3
    status: EngineerStatus = EngineerStatus.active

    def fields(self) -> dict[str, Any]:
        regions = sorted({*self.regions, *([self.region] if self.region else [])})
        return {
            "name": self.name,
            "skills": sorted({s.value for s in self.skills}),
            "certifications": sorted(set(self.certifications)),
            "team": self.team.value,
            "seniority": self.seniority.value,
            "home": self.home.model_dump() if self.home else None,
            "regions": regions,
            "shift": _shift_value(self.shift),
            "on_call": [(p.from_, p.to) for p in self.on_call],
            "capacity": self.capacity,
            "status": self.status.value,
        }


class EngineerPatch(EngineerFields, PatchBody):
    """Only the fields given change."""

    nullable = frozenset({"home"})
    name: Name | SkipJsonSchema[None] = None
    skills: Skills | SkipJsonSchema[None] = None
    certifications: Certifications | SkipJsonSchema[None] = None
    team: Team | SkipJsonSchema[None] = None
    seniority: Seniority | SkipJsonSchema[None] = None
    home: Place | None = None
    regions: Regions | SkipJsonSchema[None] = None
    shift: Shift | SkipJsonSchema[None] = None
    on_call: OnCalls | SkipJsonSchema[None] = None
    capacity: Capacity | SkipJsonSchema[None] = None
    status: EngineerStatus | SkipJsonSchema[None] = None

    def fields(self) -> dict[str, Any]:
        given = self.changes()
        if "skills" in given:
            given["skills"] = sorted({s.value for s in given["skills"]})
        for name in ("certifications", "regions"):
            if name in given:
                given[name] = sorted(set(given[name]))
        for name in ("team", "seniority", "status"):
            if name in given:
                given[name] = given[name].value
        if "home" in given:
            given["home"] = self.home.model_dump() if self.home else None
        if "shift" in given:
            given["shift"] = _shift_value(given["shift"])
        if "on_call" in given:
            given["on_call"] = [(p.from_, p.to) for p in given["on_call"]]
        return given


class Position(BaseModel):
    latitude: float
    longitude: float
    at: datetime


class PlacePublic(BaseModel):
    latitude: float
    longitude: float


class OnCallPublic(BaseModel):
    from_: datetime = Field(serialization_alias="from")
    to: datetime

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, value: Any) -> Any:
        if isinstance(value, tuple | list):
            return {"from_": value[0], "to": value[1]}
        return value


class EngineerPublic(BaseModel):
    id: UUID
    name: str
    skills: list[Skill]
    certifications: list[str]
    team: Team
    seniority: Seniority
    home: PlacePublic | None
    regions: list[str]
    region: str | None = Field(description="The first of `regions`, for older clients")
    shift: str | dict[str, Any]
    on_call: list[OnCallPublic]
    capacity: int
    status: EngineerStatus
    active: bool
    load: int = Field(description="Live assignments now")
    position: Position | None = Field(description="The last position the phone reported")
    created_at: datetime
    updated_at: datetime
