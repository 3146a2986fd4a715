"""What clients send and receive about assignments: the engineer's phone's API (DS-3)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from services.dispatch.assignments.commands import ActOnAssignment, ReportPosition
from services.dispatch.assignments.lifecycle import AssignmentStatus, Move
from services.dispatch.assignments.rules import MAX_BATCH
from shared.events.dispatch import Position, Role
from shared.events.intake import PartUsed, Report
from shared.http.bodies import NOT_BLANK, StrictBody
from shared.http.fields import Latitude, Longitude
from shared.http.idempotency import KEY_PATTERN
from shared.http.problems import ProblemDetails
from shared.http.service_report import ServiceReportBody

Accuracy = Annotated[
    float,
    Field(strict=True, ge=0, le=100_000, allow_inf_nan=False, description="Metres, as the phone"),
]
OccurredAt = Annotated[
    AwareDatetime,
    Field(
        description="When it happened, by the phone's clock, with its offset. Believed from "
        "7 days before the server's clock to 5 minutes after it (422 otherwise)"
    ),
]
PhoneKey = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=KEY_PATTERN,
        description="The action's own idempotency key, as it would go in the Idempotency-Key "
        "header of the single action's route: the same key there and here is one action",
    ),
]


class PositionBody(StrictBody):
    latitude: Latitude
    longitude: Longitude
    accuracy_m: Accuracy | None = None

    def position(self) -> Position:
        return Position(
            latitude=self.latitude, longitude=self.longitude, accuracy_m=self.accuracy_m
        )


class ReportBody(ServiceReportBody):
    """IN-5: the service report the phone sends with its completion."""

    def report(self) -> Report:
        return Report(
            work_done=self.work_done,
            root_cause=self.root_cause,
            fault_type=self.fault_type,
            parts_used=[PartUsed(**p.model_dump()) for p in self.parts_used],
            minutes_on_site=self.minutes_on_site,
        )


class ActionBody(StrictBody):
    occurred_at: OccurredAt

    def command(
        self, assignment_id: UUID, how: Move, *, engineer_id: UUID | None, by: str
    ) -> ActOnAssignment:
        position = getattr(self, "position", None)
        report = getattr(self, "report", None)
        return ActOnAssignment(
            assignment_id=assignment_id,
            engineer_id=engineer_id,
            move=how,
            occurred_at=self.occurred_at,
            by=by,
            position=None if position is None else position.position(),
            reason=getattr(self, "reason", None),
            report=None if report is None else report.report(),
        )


class AcceptBody(ActionBody):
    pass


class DeclineBody(ActionBody):
    reason: str = Field(min_length=1, max_length=500, pattern=NOT_BLANK)


class TravelBody(ActionBody):
    """A departure or an arrival: where the phone was, when it knows."""

    position: PositionBody | None = None


class CompleteBody(ActionBody):
    report: ReportBody


# The body each action's own route takes: an offline batch's item carries the same fields.
BODIES: dict[Move, type[ActionBody]] = {
    Move.accept: AcceptBody,
    Move.decline: DeclineBody,
    Move.depart: TravelBody,
    Move.arrive: TravelBody,
    Move.complete: CompleteBody,
}


class _Queued(StrictBody):
    assignment_id: UUID
    key: PhoneKey

    def body(self) -> dict[str, Any]:
        """What the action's own route would have been sent: its fingerprint is the same."""
        return self.model_dump(mode="json", exclude={"assignment_id", "key", "action"})


class QueuedAccept(_Queued, AcceptBody):
    action: Literal["accept"]


class QueuedDecline(_Queued, DeclineBody):
    action: Literal["decline"]


class QueuedDepart(_Queued, TravelBody):
    action: Literal["depart"]


class QueuedArrive(_Queued, TravelBody):
    action: Literal["arrive"]


class QueuedComplete(_Queued, CompleteBody):
    action: Literal["complete"]


QueuedItem = Annotated[
    QueuedAccept | QueuedDecline | QueuedDepart | QueuedArrive | QueuedComplete,
    Field(discriminator="action"),
]


class ActionBatch(StrictBody):
    """DS-3: what an offline phone queued, uploaded at once; applied in `occurred_at` order."""

    actions: list[QueuedItem] = Field(min_length=1, max_length=MAX_BATCH)


class PositionReport(PositionBody):
    occurred_at: OccurredAt

    def command(self, engineer_id: UUID) -> ReportPosition:
        return ReportPosition(engineer_id, self.position(), self.occurred_at)


class AssignmentPublic(BaseModel):
    id: UUID
    ticket_id: UUID
    engineer_id: UUID
    status: AssignmentStatus
    role: Role = "lead"
    assigned_at: datetime
    respond_by: datetime | None = Field(
        default=None, description="Accept by then, or the next candidate gets the job"
    )
    onsite_due: datetime | None = None
    # When each step happened, by the phone's clock.
    accepted_at: datetime | None = None
    departed_at: datetime | None = None
    arrived_at: datetime | None = None
    completed_at: datetime | None = None
    ended_at: datetime | None = None
    reason: str | None = Field(
        default=None, description="Why it ended otherwise than completed (a decline's reason)"
    )


class TicketBrief(BaseModel):
    id: UUID
    number: str
    priority: str
    summary: str


class SiteBrief(BaseModel):
    name: str
    address: str
    latitude: float
    longitude: float


class ContactBrief(BaseModel):
    name: str
    phone: str


class PartBrief(BaseModel):
    part_number: str
    quantity: int
    location_name: str | None = Field(
        description="Where to pick it up; None while it is backordered"
    )
    status: Literal["reserved", "backordered"] = Field(
        description="reserved: held at `location_name` for this ticket; backordered: no "
        "location has it yet, `quantity` is what is short"
    )


class MyAssignment(AssignmentPublic):
    """An assignment with what the engineer needs offline: what, where, whom to call and which
    spare parts to bring (DS-3)."""

    ticket: TicketBrief
    site: SiteBrief | None = Field(description="None when the ticket names no site")
    contact: ContactBrief | None = Field(description="Whom to call first; None when unknown")
    parts: list[PartBrief] = Field(
        description="The parts inventory holds for the ticket (to pick up first) and those "
        "it still awaits"
    )


class ActionPublic(BaseModel):
    """One step of an assignment's history, as the phone reported it."""

    seq: int = Field(description="The order the server received the steps in")
    action: Move
    occurred_at: datetime = Field(description="By the phone's clock")
    received_at: datetime
    by: str
    from_status: AssignmentStatus
    to_status: AssignmentStatus
    late: bool = Field(
        description="Reported after a later step: recorded at its time, changed no status"
    )
    detail: dict[str, Any]


class ActionOutcome(BaseModel):
    key: str = Field(description="The item's key, as sent")
    status: Literal["applied", "replayed", "refused"] = Field(
        description="applied: done now; replayed: done before under this key, the answer then; "
        "refused: changed nothing, `problem` says why, the key may be used again"
    )
    assignment: AssignmentPublic | None = None
    problem: ProblemDetails | None = None


class ActionResults(BaseModel):
    results: list[ActionOutcome] = Field(description="One per action, in the order sent")


class PositionPublic(BaseModel):
    latitude: float
    longitude: float
    at: datetime = Field(description="The phone's time of the position kept")
    applied: bool = Field(
        description="False when the server already held a position of a later phone time"
    )
