"""What clients send and receive about tickets."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from services.intake.assets.schemas import Maker, Serial
from services.intake.reports.schemas import ReportBody
from services.intake.tickets.classification import Channel, Impact, Priority
from services.intake.tickets.lifecycle import Status
from shared.http.bodies import NOT_BLANK, StrictBody
from shared.vocabulary import Category


class AlarmIn(StrictBody):
    source: str = Field(
        min_length=1, max_length=64, pattern=NOT_BLANK, description="The monitoring system"
    )
    code: str = Field(
        min_length=1, max_length=128, pattern=NOT_BLANK, description="Its code for the fault"
    )


class TicketCreate(StrictBody):
    customer_id: UUID | None = Field(
        default=None, description="Who reports; may be left out when `serial` is given"
    )
    serial: Serial | None = Field(
        default=None, description="IN-10: the asset's serial; names customer, site and contract"
    )
    manufacturer: Maker | None = Field(
        default=None, description="Only needed when two manufacturers use the serial"
    )
    reported_at: AwareDatetime | None = Field(
        default=None,
        description="IN-1: when the customer reported it, by the call centre's clock (a report "
        "recorded offline counts from then); at most 5 minutes ahead and 30 days back; "
        "default now",
    )
    contact_id: UUID | None = Field(default=None, description="A duty contact of the customer")
    site_id: UUID | None = Field(
        default=None, description="A site of the customer; default the asset's"
    )
    alarm: AlarmIn | None = Field(
        default=None,
        description="channel monitoring with a serial only: a repeat of an alarm whose ticket "
        "is still open folds into it (200, `occurrences` counted)",
    )
    summary: str = Field(min_length=1, max_length=200, pattern=NOT_BLANK)
    description: str = Field(default="", max_length=10_000)
    channel: Channel
    category: Category
    impact: Impact
    region: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=NOT_BLANK,
        description="Where the work is; defaults to the customer's region",
    )


class AssetRef(BaseModel):
    id: UUID
    serial: str
    manufacturer: str
    model: str


class EntitlementPublic(BaseModel):
    """IN-10; all but `chargeable` null when no contract could be told for the report."""

    contract_id: UUID | None
    coverage: Literal["5x8", "7x24"] | None
    calendar: str | None
    in_warranty: bool | None
    chargeable: bool


class AlarmPublic(BaseModel):
    source: str
    code: str


class TicketPublic(BaseModel):
    id: UUID
    number: str
    customer_id: UUID
    summary: str
    description: str
    channel: Channel
    category: Category
    impact: Impact
    priority: Priority
    status: Status
    region: str | None
    created_at: datetime
    updated_at: datetime
    # --- ticket entry (IN-1, IN-10): when, about what, entitled to what, how often ---
    reported_at: datetime
    contact_id: UUID | None = None
    site_id: UUID | None = None
    asset: AssetRef | None = None
    entitlement: EntitlementPublic | None = Field(
        default=None, description="None only for tickets recorded before entitlements were"
    )
    alarm: AlarmPublic | None = None
    occurrences: int = Field(default=1, description="How often its alarm was reported")
    last_occurred_at: datetime

    @model_validator(mode="before")
    @classmethod
    def _entry_from_columns(cls, data: Any) -> Any:
        # The store hands flat columns; the answer groups them as a call centre reads them.
        if not isinstance(data, dict) or "asset_serial" not in data:
            return data
        return {
            **data,
            "asset": None
            if data["asset_id"] is None
            else {
                "id": data["asset_id"],
                "serial": data["asset_serial"],
                "manufacturer": data["asset_manufacturer"],
                "model": data["asset_model"],
            },
            "entitlement": None
            if data["chargeable"] is None
            else {name: data[name] for name in EntitlementPublic.model_fields},
            "alarm": None
            if data["alarm_code"] is None
            else {"source": data["alarm_source"], "code": data["alarm_code"]},
        }

    # --- the ticket's life after creation (IN-4): absent from a create's answer, null until set ---
    held_from: Status | None = Field(
        default=None, description="While awaiting the customer: the status `resume` returns to"
    )
    resolved_at: datetime | None = Field(
        default=None, description="The latest resolution; a reopen is allowed for 7 days after"
    )
    closed_at: datetime | None = None
    cancelled_at: datetime | None = None
    # --- end of the ticket's life block ---


# --- the centre's moves (IN-4): bodies of POST /v1/tickets/{id}/<move> ---

Reason = Annotated[
    str,
    Field(min_length=1, max_length=2_000, pattern=NOT_BLANK, description="Why, for the timeline"),
]


class AwaitCustomerBody(StrictBody):
    reason: Reason = Field(description="What the work waits for")


class ResumeBody(StrictBody):
    reason: Reason | None = None


class ResolveBody(StrictBody):
    report: ReportBody


class CloseBody(StrictBody):
    reason: Reason | None = None


class ReasonBody(StrictBody):
    reason: Reason


class ReclassifyBody(StrictBody):
    priority: Priority
    reason: Reason
