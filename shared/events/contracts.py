"""The published event contracts: every event type, its version and its payload.

These live in `shared` because they are the one thing the services agree on: a
producer writes them, consumers in other services read them, and the ops
dashboards read the AsyncAPI document generated from them. Adding an optional
field keeps the version; a breaking change adds a new class with `version + 1`
and an upcaster in `UPCASTERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

Priority = Literal["P1", "P2", "P3", "P4"]


class Event(BaseModel):
    """A fact that happened; immutable; named in the past tense."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    type: ClassVar[str]
    version: ClassVar[int] = 1
    owner: ClassVar[str]  # the service whose topic carries it

    def aggregate_id(self) -> str:
        raise NotImplementedError


class TicketEvent(Event):
    owner: ClassVar[str] = "intake"
    ticket_id: UUID

    def aggregate_id(self) -> str:
        return str(self.ticket_id)


class TicketCreated(TicketEvent):
    type: ClassVar[str] = "ticket.created"
    number: str
    customer_id: UUID
    priority: Priority
    category: str
    channel: str
    summary: str
    region: str | None = None
    created_at: datetime


class AssignmentEvent(Event):
    owner: ClassVar[str] = "dispatch"
    ticket_id: UUID

    def aggregate_id(self) -> str:
        return str(self.ticket_id)


class AssignmentCreated(AssignmentEvent):
    type: ClassVar[str] = "assignment.created"
    assignment_id: UUID
    engineer_id: UUID
    assigned_at: datetime


class AssignmentUnassigned(AssignmentEvent):
    type: ClassVar[str] = "assignment.unassigned"
    reason: str
    at: datetime


class AssignmentAccepted(AssignmentEvent):
    type: ClassVar[str] = "assignment.accepted"
    assignment_id: UUID
    engineer_id: UUID
    accepted_at: datetime


class SlaEvent(Event):
    owner: ClassVar[str] = "escalation"
    ticket_id: UUID
    clock_id: UUID
    kind: Literal["response", "restore"]

    def aggregate_id(self) -> str:
        return str(self.ticket_id)


class SlaMet(SlaEvent):
    type: ClassVar[str] = "sla.met"
    due_at: datetime
    met_at: datetime


class SlaBreached(SlaEvent):
    type: ClassVar[str] = "sla.breached"
    due_at: datetime


class PartEvent(Event):
    owner: ClassVar[str] = "inventory"
    part_number: str

    def aggregate_id(self) -> str:
        return self.part_number


class PartRegistered(PartEvent):
    type: ClassVar[str] = "part.registered"
    vendor: str
    description: str


class PartStockReceived(PartEvent):
    type: ClassVar[str] = "part.stock_received"
    warehouse: str
    quantity: int
    received_at: datetime


CATALOG: dict[tuple[str, int], type[Event]] = {
    (cls.type, cls.version): cls
    for cls in (
        TicketCreated,
        AssignmentCreated,
        AssignmentUnassigned,
        AssignmentAccepted,
        SlaMet,
        SlaBreached,
        PartRegistered,
        PartStockReceived,
    )
}

# (type, old version) -> function turning the old payload into the next version's.
UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}


class UnknownEventType(ValueError):
    pass


def latest_version(event_type: str) -> int:
    versions = [v for (t, v) in CATALOG if t == event_type]
    if not versions:
        raise UnknownEventType(event_type)
    return max(versions)


def parse_event(event_type: str, version: int, data: dict[str, Any]) -> Event:
    """Validate a payload, upcasting old versions to the newest one we know."""
    if (event_type, version) not in CATALOG:
        raise UnknownEventType(f"{event_type} v{version}")
    newest = latest_version(event_type)
    while version < newest:
        data = UPCASTERS[(event_type, version)](data)
        version += 1
    return CATALOG[(event_type, version)].model_validate(data)


# intake: master data
# Sites, contracts and the installed base, as dispatch (travel, resident engineer),
# escalation (policy) and inventory (nearest stock, waiver, EOL) need them without
# calling back. An `.updated` event carries the whole new state, not a diff: a consumer
# that missed one still ends up right.

class SiteEvent(Event):
    owner: ClassVar[str] = "intake"
    site_id: UUID
    customer_id: UUID
    name: str
    address: str
    latitude: float
    longitude: float
    timezone: str  # IANA
    region: str | None = None

    def aggregate_id(self) -> str:
        return str(self.site_id)


class SiteRegistered(SiteEvent):
    type: ClassVar[str] = "site.registered"
    registered_at: datetime


class SiteUpdated(SiteEvent):
    type: ClassVar[str] = "site.updated"
    updated_at: datetime


class TargetOverride(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    response_minutes: int | None = None
    restore_minutes: int | None = None


class OriginalsWaiver(BaseModel):
    """The customer agreed that replaced parts need not be returned to them (who, when, which document)."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    signed_by: str
    signed_at: datetime
    reference: str


class LadderContact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    level: int
    name: str
    email: str | None = None
    phone: str | None = None


class ContractEvent(Event):
    owner: ClassVar[str] = "intake"
    contract_id: UUID
    customer_id: UUID
    coverage: Literal["5x8", "7x24"]
    emergency_onsite_7x24: bool
    onsite_minutes: int
    targets: dict[Priority, TargetOverride]  # only where the contract differs from the seed
    calendar: str
    warranty_start: date
    warranty_end: date
    originals_waiver: OriginalsWaiver | None = None
    resident_engineer_id: UUID | None = None
    ladder: list[LadderContact]

    def aggregate_id(self) -> str:
        return str(self.contract_id)


class ContractRegistered(ContractEvent):
    type: ClassVar[str] = "contract.registered"
    registered_at: datetime


class ContractUpdated(ContractEvent):
    type: ClassVar[str] = "contract.updated"
    updated_at: datetime


class AssetRegistered(Event):
    type: ClassVar[str] = "asset.registered"
    owner: ClassVar[str] = "intake"
    serial: str
    manufacturer: str
    model: str
    asset_id: UUID
    customer_id: UUID
    site_id: UUID
    contract_id: UUID
    accepted_on: date
    warranty_end: date
    registered_at: datetime

    def aggregate_id(self) -> str:
        return self.serial


CATALOG.update({
    (cls.type, cls.version): cls
    for cls in (SiteRegistered, SiteUpdated, ContractRegistered, ContractUpdated, AssetRegistered)
})
