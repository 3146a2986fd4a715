"""IV-3: a replacement order's life: ordered, then delivered to the customer. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from shared.errors import NotFound
from shared.lifecycle import IllegalMove as IllegalMove
from shared.lifecycle import allowed_from as moves_in


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


def allowed_from(status: ReplacementStatus) -> tuple[Move, ...]:
    return moves_in(TRANSITIONS, status)


def move(status: ReplacementStatus, how: Move) -> ReplacementStatus:
    to = TRANSITIONS.get((status, how))
    if to is None:
        raise IllegalMove("a replacement", status, how, allowed_from(status))
    return to
