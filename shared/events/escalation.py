"""Events escalation publishes on its topic: each SLA clock's warnings and outcome, and the
escalation ladder's climbs and holds."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from shared.events.base import Event, register

_TICKET = "6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11"
_CLOCK = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"


class SlaEvent(Event):
    owner: ClassVar[str] = "escalation"
    ticket_id: UUID
    clock_id: UUID
    kind: Literal["response", "on_site", "restore", "repair"]

    def aggregate_id(self) -> str:
        return str(self.ticket_id)


@register
class SlaWarning(SlaEvent):
    """A running clock has used `fraction` of its target (50 % and 80 % unless configured):
    `due_at` is still ahead, and someone can still keep the promise."""

    type: ClassVar[str] = "sla.warning"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": _TICKET,
        "clock_id": _CLOCK,
        "kind": "restore",
        "fraction": 0.8,
        "due_at": "2026-11-25T13:12:00Z",
        "at": "2026-11-25T12:24:00Z",
    }
    fraction: float
    due_at: datetime
    at: datetime  # when the fraction was reached, in business time


@register
class SlaMet(SlaEvent):
    """A clock stopped before its deadline."""

    type: ClassVar[str] = "sla.met"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": _TICKET,
        "clock_id": _CLOCK,
        "kind": "response",
        "due_at": "2026-11-25T09:42:00Z",
        "met_at": "2026-11-25T09:20:00Z",
        "business_minutes": 9.5,
    }
    due_at: datetime
    met_at: datetime
    # The business minutes it used (paused time not counted); None in events from before pauses.
    business_minutes: float | None = None


@register
class SlaBreached(SlaEvent):
    """A clock ran past its deadline."""

    type: ClassVar[str] = "sla.breached"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": _TICKET,
        "clock_id": _CLOCK,
        "kind": "restore",
        "due_at": "2026-11-25T13:12:00Z",
    }
    due_at: datetime


class LadderEvent(Event):
    owner: ClassVar[str] = "escalation"
    ticket_id: UUID

    def aggregate_id(self) -> str:
        return str(self.ticket_id)


@register
class EscalationRaised(LadderEvent):
    """A step ran late, a clock was breached or nobody could be assigned: the ticket climbs one
    level of the ladder (ES-3), and that level's contact must act (ES-4, ES-5)."""

    type: ClassVar[str] = "escalation.raised"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": _TICKET,
        "level": 2,
        "reason": "step_limit",
        "step": "accepted_to_on_site",
        "contact": {"level": 2, "name": "Zhao Lei", "email": "zl@example.com", "phone": None},
        "at": "2026-11-26T09:12:00Z",
    }
    level: int  # 1 support team lead .. 4 project director
    reason: Literal["breach", "step_limit", "unassigned"]
    step: str | None = None
    contact: dict[str, Any] | None = None  # who must act at this level
    at: datetime


@register
class EscalationAcknowledged(LadderEvent):
    """The level's contact took it in hand: the ladder holds for one step limit."""

    type: ClassVar[str] = "escalation.acknowledged"
    example: ClassVar[dict[str, Any]] = {
        "ticket_id": _TICKET,
        "level": 2,
        "by": "zl@example.com",
        "at": "2026-11-26T09:30:00Z",
        "hold_until": "2026-11-27T09:30:00Z",
    }
    level: int
    by: str
    at: datetime
    hold_until: datetime
