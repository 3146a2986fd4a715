"""IN-6: when a customer may rate a ticket, and for how long. Pure: no I/O.

A link is issued for a resolved (or closed) ticket and stays valid for 30 days from the
resolution; asking again while it is valid gives the same link. One rating per ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from shared.errors import Conflict, DomainError, Gone, NotFound

RATING_WINDOW = timedelta(days=30)
SCORES = range(1, 6)
COMMENT_MAX = 2000
# A closed ticket can still be rated within the window: closing is the centre's bookkeeping.
RATEABLE = frozenset({"resolved", "closed"})


class NotResolved(Conflict):
    title = "Ticket not resolved"


class LinkInvalid(NotFound):
    """Forged, tampered, or for something we do not know: all look the same to the caller."""

    title = "No such rating link"


class LinkExpired(Gone):
    """The rating window has passed."""

    title = "Rating link expired"


class AlreadyRated(Conflict):
    title = "Already rated"


class ScoreOutOfRange(DomainError):
    title = "Score out of range"


@dataclass(frozen=True, slots=True)
class RateableTicket:
    id: UUID
    status: str
    resolved_at: datetime


@dataclass(frozen=True, slots=True)
class Link:
    ticket_id: UUID
    issued_at: datetime
    expires_at: datetime


def link_for(ticket: RateableTicket, existing: Link | None, now: datetime) -> Link:
    """The link to hand out now: the one already issued while it is valid, else a new one
    (a ticket reopened and resolved again opens a new window)."""
    check_rateable(ticket.status)
    if existing is not None and now < existing.expires_at:
        return existing
    if existing is not None and ticket.resolved_at <= existing.issued_at:
        raise LinkExpired("the rating window of this ticket has passed")
    # Whole seconds: the token's exp claim is an integer, and both must say the same.
    expires_at = (ticket.resolved_at + RATING_WINDOW).replace(microsecond=0)
    if now >= expires_at:
        raise LinkExpired("the rating window of this ticket has passed")
    return Link(ticket.id, issued_at=now.replace(microsecond=0), expires_at=expires_at)


def check_open(expires_at: datetime, now: datetime) -> None:
    if now >= expires_at:
        raise LinkExpired("this rating link has expired")


def check_rateable(status: str) -> None:
    if status not in RATEABLE:
        raise NotResolved("a ticket is rated once it is resolved", current_status=status)


def check_rating(score: int, comment: str | None) -> None:
    # The HTTP schema says the same; a command from elsewhere meets the rule here.
    if score not in SCORES:
        raise ScoreOutOfRange(f"a score is {SCORES.start} to {SCORES.stop - 1}, not {score}")
    if comment is not None and len(comment) > COMMENT_MAX:
        raise ScoreOutOfRange(f"a comment is at most {COMMENT_MAX} characters")
