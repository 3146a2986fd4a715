"""What a route or a timer asks of the escalation ladder."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Acknowledge:
    """The level's contact (or an admin) takes the ticket in hand: the ladder holds (ES-5)."""

    ticket_id: UUID
    by: str  # the contact's e-mail: the token's subject
    level: int | None = None  # the ticket's current level when not given
    is_admin: bool = False


@dataclass(frozen=True, slots=True)
class FireLadders:
    """Raise every ladder whose step limit or hold ran out by now, at most `limit` at a time."""

    limit: int = 200
