"""Every owner's contracts, loaded: import this (not `base`) to parse or list any event type."""

from __future__ import annotations

from shared.events import dispatch, escalation, intake, inventory
from shared.events.base import (
    CATALOG,
    UPCASTERS,
    Event,
    UnknownEventType,
    is_known,
    latest_version,
    owner_of,
    parse_event,
)

OWNER_MODULES = (intake, dispatch, escalation, inventory)

__all__ = [
    "CATALOG",
    "OWNER_MODULES",
    "UPCASTERS",
    "Event",
    "UnknownEventType",
    "is_known",
    "latest_version",
    "owner_of",
    "parse_event",
]
