"""What a fault report is and how urgent it is (IN-1, IN-3). Pure: no I/O."""

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
    """A fault report names a customer intake does not know."""

    title = "Unknown customer"
