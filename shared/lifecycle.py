"""What every transition table shares: the refusal of a move the table does not hold, and the
moves it does hold from a status. Pure: no I/O, no framework.

A client refused a move branches on the same members whatever the aggregate: `current_status`
(not `status`, the problem's HTTP status), the `move` it asked for, and the moves `allowed`
from where the thing is now, as a list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from shared.errors import Conflict

StatusT = TypeVar("StatusT")
MoveT = TypeVar("MoveT")


class IllegalMove(Conflict):
    title = "Move not allowed in this status"

    def __init__(
        self, what: str, current: str, how: str, allowed: Sequence[str], **context: Any
    ) -> None:
        # str() turns a StrEnum member into its plain value, so the problem reads the same
        # whether a lifecycle passes its enums or the names its API spells.
        names = [str(name) for name in allowed]
        super().__init__(
            f"{what} that is {current} cannot {how}; allowed: {', '.join(names) or 'none'}",
            current_status=str(current),
            move=str(how),
            allowed=names,
            **context,
        )
        self.current = current
        self.how = how
        self.allowed = tuple(allowed)


def allowed_from(
    transitions: Mapping[tuple[StatusT, MoveT], object], status: StatusT
) -> tuple[MoveT, ...]:
    """The moves `transitions` holds from `status`, in the table's order."""
    return tuple(how for (source, how) in transitions if source == status)
