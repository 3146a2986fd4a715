"""Transitional re-exports: the contracts now live one module per owning service.

`from shared.events.contracts import X` keeps working while the services move to
`shared.events.<owner>` (and `shared.events.base` / `catalog` for the machinery).
To be removed once no module imports it; new code imports the owner's module.
"""

from __future__ import annotations

from shared.events.base import (
    CATALOG,
    UPCASTERS,
    Event,
    UnknownEventType,
    latest_version,
    parse_event,
)
from shared.events.catalog import is_known, owner_of
from shared.events.dispatch import (
    AssignmentAccepted,
    AssignmentCreated,
    AssignmentEvent,
    AssignmentUnassigned,
)
from shared.events.escalation import SlaBreached, SlaEvent, SlaMet
from shared.events.intake import Priority, TicketCreated, TicketEvent
from shared.events.inventory import PartEvent, PartRegistered, PartStockReceived

__all__ = [
    "CATALOG",
    "UPCASTERS",
    "AssignmentAccepted",
    "AssignmentCreated",
    "AssignmentEvent",
    "AssignmentUnassigned",
    "Event",
    "PartEvent",
    "PartRegistered",
    "PartStockReceived",
    "Priority",
    "SlaBreached",
    "SlaEvent",
    "SlaMet",
    "TicketCreated",
    "TicketEvent",
    "UnknownEventType",
    "is_known",
    "latest_version",
    "owner_of",
    "parse_event",
]
