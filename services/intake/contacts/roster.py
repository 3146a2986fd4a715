"""IN-11: a customer's duty roster for 7x24 phone support. No I/O here.

One primary and at most two secondary contacts. A roster may be incomplete while it is
being filled in; it may never hold more than that.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from shared.errors import Conflict

MAX_SECONDARY = 2


class Role(StrEnum):
    primary = "primary"
    secondary = "secondary"


class RosterFull(Conflict):
    title = "Duty roster full"


def check_room(current: Iterable[Role], role: Role) -> None:
    """Raise unless a contact with `role` fits beside the `current` ones (the contact itself left out)."""
    roles = list(current)
    if role is Role.primary and Role.primary in roles:
        raise RosterFull(
            "the customer has a primary duty contact already: make it secondary or remove it first",
            field="role",
            role=role.value,
            allowed="one primary, two secondary",
        )
    if role is Role.secondary and roles.count(Role.secondary) >= MAX_SECONDARY:
        raise RosterFull(
            f"the customer has {MAX_SECONDARY} secondary duty contacts already: remove one first",
            field="role",
            role=role.value,
            allowed="one primary, two secondary",
        )
