"""IN-7: a phone follow-up (回访) after the work, as the centre records it. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from shared.errors import DomainError

# A follow-up is recorded after the call: a clock a little ahead of ours is not the future.
CLOCK_SKEW = timedelta(minutes=5)


class Outcome(StrEnum):
    satisfied = "satisfied"
    unsatisfied = "unsatisfied"
    fault_persists = "fault_persists"  # the centre should reopen (within 7 days) or open a ticket
    no_answer = "no_answer"
    call_back = "call_back"  # the customer asked to be called again


@dataclass(frozen=True, slots=True)
class FollowUp:
    id: UUID
    ticket_id: UUID
    called_by: str
    called_at: datetime
    outcome: Outcome
    notes: str | None
    recorded_by: str
    recorded_at: datetime


class CallInTheFuture(DomainError):
    title = "Follow-up call in the future"


def check_called_at(called_at: datetime, now: datetime) -> None:
    if called_at > now + CLOCK_SKEW:
        raise CallInTheFuture(
            f"called_at {called_at.isoformat()} is in the future", field="called_at"
        )
