"""Events intake publishes on its topic: the ticket's facts and the master data others keep."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shared.events.base import UPCASTERS, Event, register

Priority = Literal["P1", "P2", "P3", "P4"]
Impact = Literal["outage", "degraded", "function", "minor"]


class TicketEvent(Event):
    owner: ClassVar[str] = "intake"
    ticket_id: UUID

    def aggregate_id(self) -> str:
        return str(self.ticket_id)


class TicketContact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    name: str
    phone: str


@register
class TicketCreatedV1(TicketEvent):
    """A fault report was recorded and classified (IN-1, IN-3); kept to read old events."""

    type: ClassVar[str] = "ticket.created"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11",
        "number": "T-00000042",
        "customer_id": "2b0e7d4a-8f61-4a38-9c1e-5d0c6a7b8e90",
        "priority": "P1",
        "category": "network",
        "channel": "phone",
        "summary": "Core switch down",
        "region": "north",
        "created_at": "2026-11-25T09:12:00Z",
    }
    number: str
    customer_id: UUID
    priority: Priority
    category: str
    channel: str
    summary: str
    region: str | None = None
    created_at: datetime


@register
class TicketCreated(TicketEvent):
    """A fault report was recorded (IN-1), classified (IN-3) and its entitlement found (IN-10).

    `reported_at` is when the customer reported it, by the call centre's clock: a ticket
    recorded offline and posted later counts from then. The site, contract, asset and
    entitlement fields are None when the report could not be tied to them (a customer with
    several contracts and no serial given), and for tickets upcast from v1.
    """

    type: ClassVar[str] = "ticket.created"
    version: ClassVar[int] = 2
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11",
        "number": "T-00000042",
        "customer_id": "2b0e7d4a-8f61-4a38-9c1e-5d0c6a7b8e90",
        "site_id": "0d6c1f7e-5a3b-4c2d-8e9f-1a2b3c4d5e6f",
        "contract_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
        "asset_serial": "SN-0042",
        "asset_manufacturer": "huawei",
        "asset_model": "S5735",
        "priority": "P1",
        "category": "network",
        "channel": "monitoring",
        "impact": "outage",
        "summary": "Core switch down",
        "region": "north",
        "reported_at": "2026-11-25T09:10:30Z",
        "in_warranty": True,
        "chargeable": False,
        "coverage": "5x8",
        "calendar": "cn-5x8",
        "contact": {"name": "Wang Wei", "phone": "+86 21 5555 0101"},
        "created_at": "2026-11-25T09:12:00Z",
    }
    number: str
    customer_id: UUID
    site_id: UUID | None = None
    contract_id: UUID | None = None
    asset_serial: str | None = None
    asset_manufacturer: str | None = None
    asset_model: str | None = None
    priority: Priority
    category: str
    channel: str
    impact: Impact | None = None  # None: upcast from v1, which did not carry it
    summary: str
    region: str | None = None
    reported_at: datetime
    in_warranty: bool | None = None
    chargeable: bool | None = None
    coverage: Literal["5x8", "7x24"] | None = None
    calendar: str | None = None
    # Whom the engineer calls before setting off (DS-3): the ticket's contact, else the
    # customer's primary duty contact; kept by dispatch for the phone's offline briefing.
    contact: TicketContact | None = None
    created_at: datetime


def upcast_ticket_created_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
    """A v1 ticket was reported when it was recorded; its entitlement was never looked up."""
    return {
        **data,
        "reported_at": data.get("reported_at", data.get("created_at")),
        "impact": data.get("impact", _IMPACT_OF_PRIORITY.get(data.get("priority", ""))),
    }


# v1 knew only the priority, which IN-3 derives one-to-one from the impact.
_IMPACT_OF_PRIORITY = {"P1": "outage", "P2": "degraded", "P3": "function", "P4": "minor"}
UPCASTERS[("ticket.created", 1)] = upcast_ticket_created_v1_v2


# Master data: sites, contracts and the installed base, as dispatch (travel, resident
# engineer), escalation (policy) and inventory (nearest stock, waiver, EOL) need them
# without calling back. An `.updated` event carries the whole new state, not a diff: a
# consumer that missed one still ends up right.

_SITE_EXAMPLE: dict[str, Any] = {
    "site_id": "0d6c1f7e-5a3b-4c2d-8e9f-1a2b3c4d5e6f",
    "customer_id": "2b0e7d4a-8f61-4a38-9c1e-5d0c6a7b8e90",
    "name": "Data centre 2",
    "address": "88 Century Avenue, Shanghai",
    "latitude": 31.2304,
    "longitude": 121.4737,
    "timezone": "Asia/Shanghai",
    "region": "east",
}
_CONTRACT_EXAMPLE: dict[str, Any] = {
    "contract_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "customer_id": "2b0e7d4a-8f61-4a38-9c1e-5d0c6a7b8e90",
    "coverage": "5x8",
    "emergency_onsite_7x24": True,
    "onsite_minutes": 360,
    "targets": {"P1": {"restore_minutes": 90}},
    "step_limits": {"P1": {"accept_minutes": 10, "arrive_minutes": None, "resolve_minutes": 45}},
    "calendar": "cn-5x8",
    "warranty_start": "2026-01-01",
    "warranty_end": "2026-12-31",
    "originals_waiver": {
        "signed_by": "Li Na",
        "signed_at": "2026-01-05T10:00:00Z",
        "reference": "W-2026-001",
    },
    "resident_engineer_id": "9f8e7d6c-5b4a-4392-8172-6e5d4c3b2a10",
    "ladder": [
        {"level": 1, "name": "Zhang San", "email": "zs@example.com", "phone": "+86 10 1234"}
    ],
}


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


@register
class SiteRegistered(SiteEvent):
    type: ClassVar[str] = "site.registered"
    example: ClassVar[dict[str, Any]] = {**_SITE_EXAMPLE, "registered_at": "2026-11-25T09:00:00Z"}
    registered_at: datetime


@register
class SiteUpdated(SiteEvent):
    type: ClassVar[str] = "site.updated"
    example: ClassVar[dict[str, Any]] = {**_SITE_EXAMPLE, "updated_at": "2026-11-26T09:00:00Z"}
    updated_at: datetime


class TargetOverride(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    response_minutes: int | None = None
    restore_minutes: int | None = None


class StepLimitOverride(BaseModel):
    """ES-3: a contract's own limits for the ladder's steps of one priority; None keeps the default."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    accept_minutes: int | None = None  # assigned -> accepted
    arrive_minutes: int | None = None  # accepted -> on site
    resolve_minutes: int | None = None  # on site -> resolved


class OriginalsWaiver(BaseModel):
    """The end customer's written permission for parts that are not new originals (IV-4)."""

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
    # Only where the contract differs from escalation's defaults; absent in events from before it.
    step_limits: dict[Priority, StepLimitOverride] = {}
    calendar: str
    warranty_start: date
    warranty_end: date
    originals_waiver: OriginalsWaiver | None = None
    resident_engineer_id: UUID | None = None
    ladder: list[LadderContact]

    def aggregate_id(self) -> str:
        return str(self.contract_id)


@register
class ContractRegistered(ContractEvent):
    type: ClassVar[str] = "contract.registered"
    example: ClassVar[dict[str, Any]] = {
        **_CONTRACT_EXAMPLE,
        "registered_at": "2026-11-25T09:00:00Z",
    }
    registered_at: datetime


@register
class ContractUpdated(ContractEvent):
    type: ClassVar[str] = "contract.updated"
    example: ClassVar[dict[str, Any]] = {
        **_CONTRACT_EXAMPLE,
        "originals_waiver": None,
        "updated_at": "2026-11-26T09:00:00Z",
    }
    updated_at: datetime


@register
class AssetRegistered(Event):
    type: ClassVar[str] = "asset.registered"
    owner: ClassVar[str] = "intake"
    example: ClassVar[dict[str, Any]] = {
        "serial": "SN-0042",
        "manufacturer": "huawei",
        "model": "S5735",
        "asset_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "customer_id": "2b0e7d4a-8f61-4a38-9c1e-5d0c6a7b8e90",
        "site_id": "0d6c1f7e-5a3b-4c2d-8e9f-1a2b3c4d5e6f",
        "contract_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
        "accepted_on": "2026-03-01",
        "warranty_end": "2027-02-28",
        "registered_at": "2026-11-25T09:00:00Z",
    }
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


@register
class RatingRecorded(TicketEvent):
    """The customer rated the service on a resolved ticket (IN-6); feeds the engineer review (RP-1).

    The comment itself stays in intake (personal data); its length tells a report whether one was left.
    """

    type: ClassVar[str] = "rating.recorded"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11",
        "score": 5,
        "comment_length": 42,
        "engineer_ids": ["7d6c5b4a-3f2e-4d1c-9b0a-8e7f6d5c4b3a"],
        "recorded_at": "2026-11-27T10:00:00Z",
    }
    score: int
    comment_length: int
    engineer_ids: list[UUID]
    recorded_at: datetime


class NoticeContact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    name: str
    phone: str
    email: str | None = None
    role: Literal["primary", "secondary"]


@register
class NoticeDue(Event):
    """An advance notice must go out now (IN-9 advisories, IV-5 end of life): escalation delivers it.

    `source` says which: an advisory (`advisory_id`, `reference` = the vendor's reference,
    `severity`) or an end-of-life announcement (`part_number`, `end_of_production`; `reference`
    = the part number). Contacts are the customer's duty roster when the notice fell due.
    """

    type: ClassVar[str] = "notice.due"
    owner: ClassVar[str] = "intake"
    example: ClassVar[dict[str, Any]] = {
        "notice_id": "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e",
        "customer_id": "2b0e7d4a-8f61-4a38-9c1e-5d0c6a7b8e90",
        "contacts": [
            {"name": "Wang Wei", "phone": "+86 21 5555 0101", "email": None, "role": "primary"}
        ],
        "source": "advisory",
        "advisory_id": "8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d",
        "reference": "HW-SA-2026-011",
        "severity": "critical",
        "part_number": None,
        "end_of_production": None,
        "serials": ["SN-0042", "SN-0043"],
        "send_by": "2026-11-27T10:00:00Z",
    }
    notice_id: UUID
    customer_id: UUID
    contacts: list[NoticeContact]
    source: Literal["advisory", "eol"]
    advisory_id: UUID | None = None
    reference: str
    severity: Literal["critical", "major", "minor"] | None = None
    part_number: str | None = None
    end_of_production: date | None = None
    serials: list[str]
    send_by: datetime

    def aggregate_id(self) -> str:
        return str(self.notice_id)


# --- the ticket's life after creation (IN-4, IN-5, IV-3) ---

FaultType = Literal["hardware", "software", "configuration"]


class PartUsed(BaseModel):
    """A part fitted (serial_in) in place of one taken out (serial_out); either may have none."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    part_number: str
    serial_out: str | None = None
    serial_in: str | None = None
    quantity: int = 1


class Report(BaseModel):
    """IN-5: what the engineer (or the centre, for a fix by phone) did about the fault."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    work_done: str
    root_cause: str
    fault_type: FaultType
    parts_used: list[PartUsed] = []
    minutes_on_site: int | None = None  # none when fixed by phone


_REPORT_EXAMPLE: dict[str, Any] = {
    "work_done": "Replaced the failed power supply and verified redundancy",
    "root_cause": "PSU 2 fan seized",
    "fault_type": "hardware",
    "parts_used": [
        {
            "part_number": "02312PSU",
            "serial_out": "PSU-0001",
            "serial_in": "PSU-0942",
            "quantity": 1,
        }
    ],
    "minutes_on_site": 45,
}


@register
class TicketReclassified(TicketEvent):
    """The centre changed a ticket's priority; its clocks and dispatch follow the new one."""

    type: ClassVar[str] = "ticket.reclassified"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11",
        "old_priority": "P3",
        "new_priority": "P1",
        "reason": "The whole trading floor is down, not one desk",
        "at": "2026-11-25T09:30:00Z",
    }
    old_priority: Priority
    new_priority: Priority
    reason: str
    at: datetime


@register
class TicketAwaitingCustomer(TicketEvent):
    """Work waits for the customer (site access, a window, a test): restore clocks pause."""

    type: ClassVar[str] = "ticket.awaiting_customer"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11",
        "reason": "Machine room closed until Monday",
        "at": "2026-11-25T10:00:00Z",
    }
    reason: str
    at: datetime


@register
class TicketResumed(TicketEvent):
    """The customer is ready again: paused clocks resume."""

    type: ClassVar[str] = "ticket.resumed"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11",
        "reason": "Access granted",
        "at": "2026-11-27T08:30:00Z",
    }
    reason: str | None = None
    at: datetime


@register
class TicketResolved(TicketEvent):
    """The fault is fixed (IN-5): restore clocks stop, reserved parts are consumed."""

    type: ClassVar[str] = "ticket.resolved"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11",
        "resolved_at": "2026-11-25T11:15:00Z",
        "fault_type": "hardware",
        "root_cause": "PSU 2 fan seized",
        "parts_used": _REPORT_EXAMPLE["parts_used"],
        "engineer_ids": ["7d6c5b4a-3f2e-4d1c-9b0a-8e7f6d5c4b3a"],
    }
    resolved_at: datetime
    fault_type: FaultType
    root_cause: str
    parts_used: list[PartUsed]
    engineer_ids: list[UUID]


class TicketEnded(TicketEvent):
    at: datetime
    reason: str | None = None


@register
class TicketReopened(TicketEnded):
    """The fault came back within seven days of its resolution (IN-4)."""

    type: ClassVar[str] = "ticket.reopened"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11",
        "at": "2026-11-27T09:00:00Z",
        "reason": "Switch dropped its uplink again",
    }


@register
class TicketClosed(TicketEnded):
    """The customer confirmed the resolution, or the centre closed it after follow-up."""

    type: ClassVar[str] = "ticket.closed"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11",
        "at": "2026-11-28T09:00:00Z",
        "reason": "Customer confirmed on the follow-up call",
    }


@register
class TicketCancelled(TicketEnded):
    """Withdrawn before resolution: dispatch withdraws the engineer, inventory releases parts."""

    type: ClassVar[str] = "ticket.cancelled"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11",
        "at": "2026-11-25T09:40:00Z",
        "reason": "Duplicate of T-00000041",
    }


@register
class AssetRepeatFailure(Event):
    """IV-3: a serial in warranty failed in hardware again: inventory arranges a replacement."""

    type: ClassVar[str] = "asset.repeat_failure"
    owner: ClassVar[str] = "intake"
    example: ClassVar[dict[str, Any]] = {
        "serial": "SN-0042",
        "earlier_ticket_id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        "ticket_id": "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11",
        "model": "S5735",
        "manufacturer": "huawei",
        "customer_id": "2b0e7d4a-8f61-4a38-9c1e-5d0c6a7b8e90",
        "site_id": "0d6c1f7e-5a3b-4c2d-8e9f-1a2b3c4d5e6f",
        "detected_at": "2026-11-25T11:15:00Z",
    }
    serial: str
    earlier_ticket_id: UUID
    ticket_id: UUID
    model: str
    manufacturer: str
    customer_id: UUID
    site_id: UUID
    detected_at: datetime

    def aggregate_id(self) -> str:
        return self.serial
