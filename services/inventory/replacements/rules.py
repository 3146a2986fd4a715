"""IV-3: a replacement order's life: ordered, then delivered to the customer. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from shared.errors import Conflict, NotFound


class ReplacementStatus(StrEnum):
    ordered = "ordered"
    delivered = "delivered"


class Move(StrEnum):
    deliver = "deliver"


TRANSITIONS: Mapping[tuple[ReplacementStatus, Move], ReplacementStatus] = MappingProxyType(
    {(ReplacementStatus.ordered, Move.deliver): ReplacementStatus.delivered}
)


class ReplacementNotFound(NotFound):
    title = "No such replacement"


class IllegalMove(Conflict):
    title = "Illegal replacement move"


def move(status: ReplacementStatus, how: Move) -> ReplacementStatus:
    to = TRANSITIONS.get((status, how))
    if to is None:
        raise IllegalMove(
            f"a replacement that is {status.value} cannot {how.value}",
            current_status=status.value,
            allowed=[m.value for (frm, m) in TRANSITIONS if frm is status],
        )
    return to
