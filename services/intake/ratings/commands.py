"""What a route asks of ratings."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, slots=True)
class IssueRatingLink:
    ticket_id: UUID


@dataclass(frozen=True, slots=True)
class RecordRating:
    token: str
    score: int
    comment: str | None
