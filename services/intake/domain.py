"""Intake rules: what a fault report is and how urgent it is. No I/O here."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import DomainError


class Channel(StrEnum):
    """IN-1: every channel a request can arrive by."""

    phone = "phone"
    web = "web"
    email = "email"
    fax = "fax"
    monitoring = "monitoring"


class Impact(StrEnum):
    """IN-3: what the fault does to the customer's business."""

    outage = "outage"  # system down, business stopped
    degraded = "degraded"  # part of the business limited
    function = "function"  # a function fails, business unaffected
    minor = "minor"  # install/configuration question, no business impact


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class TicketStatus(StrEnum):
    new = "new"
    assigned = "assigned"
    unassigned = "unassigned"  # dispatch found nobody; the team lead must step in
    in_progress = "in_progress"


# IN-3: the fault level follows from the impact on the customer's business.
_PRIORITY_BY_IMPACT = {
    Impact.outage: Priority.P1,
    Impact.degraded: Priority.P2,
    Impact.function: Priority.P3,
    Impact.minor: Priority.P4,
}


def classify(impact: Impact) -> Priority:
    return _PRIORITY_BY_IMPACT[impact]


def ticket_number(sequence_value: int) -> str:
    return f"T-{sequence_value:08d}"


class UnknownCustomer(DomainError):
    title = "Unknown customer"


# Assignment events move a ticket forward, never back: a late or redelivered
# `assignment.created` must not undo `in_progress`.
_STATUS_RANK = {TicketStatus.new: 0, TicketStatus.unassigned: 1, TicketStatus.assigned: 2, TicketStatus.in_progress: 3}


def advance(current: TicketStatus, to: TicketStatus) -> TicketStatus:
    return to if _STATUS_RANK[to] > _STATUS_RANK[current] else current
