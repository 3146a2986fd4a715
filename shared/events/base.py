"""What every event contract is made of: the `Event` base, the catalogue, parsing and upcasting.

The contracts themselves live one module per owning service (`shared.events.intake`,
`dispatch`, `escalation`, `inventory`); `shared.events.catalog` loads them all. A
contract is a frozen pydantic model with a `type`, a `version`, the `owner` whose topic
carries it, and an `example` payload that feeds both the AsyncAPI document and the
round-trip contract test, so the documented example can never drift from the schema.

Adding an optional field keeps the version; a breaking change adds a new class with
`version + 1` and an upcaster from the old version in `UPCASTERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    """A fact that happened; immutable; named in the past tense."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    type: ClassVar[str]
    version: ClassVar[int] = 1
    owner: ClassVar[str]  # the service whose topic carries it
    # A valid payload as it travels (JSON types): the AsyncAPI example and the contract test's input.
    example: ClassVar[dict[str, Any]]

    def aggregate_id(self) -> str:
        raise NotImplementedError


CATALOG: dict[tuple[str, int], type[Event]] = {}

# (type, old version) -> function turning the old payload into the next version's.
UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}

E = TypeVar("E", bound=type[Event])


class UnknownEventType(ValueError):
    pass


def register(cls: E) -> E:
    """Put an event type in the catalogue; a type and version claimed twice is a bug at import."""
    for needed in ("type", "owner", "example"):
        if not hasattr(cls, needed):
            raise TypeError(f"{cls.__name__} needs a ClassVar {needed!r} to be a published event")
    key = (cls.type, cls.version)
    if key in CATALOG and CATALOG[key] is not cls:
        raise TypeError(
            f"{cls.type} v{cls.version} is declared twice: {CATALOG[key].__name__}, {cls.__name__}"
        )
    CATALOG[key] = cls
    return cls


def latest_version(event_type: str) -> int:
    versions = [v for (t, v) in CATALOG if t == event_type]
    if not versions:
        raise UnknownEventType(event_type)
    return max(versions)


def owner_of(event_type: str) -> str:
    """The service whose topic carries `event_type` (the same for all its versions)."""
    return CATALOG[(event_type, latest_version(event_type))].owner


def is_known(event_type: str) -> bool:
    return any(t == event_type for t, _ in CATALOG)


def parse_event(event_type: str, version: int, data: dict[str, Any]) -> Event:
    """Validate a payload, upcasting old versions to the newest one we know."""
    if (event_type, version) not in CATALOG:
        raise UnknownEventType(f"{event_type} v{version}")
    newest = latest_version(event_type)
    while version < newest:
        data = UPCASTERS[(event_type, version)](data)
        version += 1
    return CATALOG[(event_type, version)].model_validate(data)
