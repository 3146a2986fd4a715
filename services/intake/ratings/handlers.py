"""Ratings: issue a ticket's link, record the customer's score. Glue only; never commits."""

from __future__ import annotations

from typing import Any

from services.intake.ratings import rules, store, tokens
from services.intake.ratings.commands import IssueRatingLink, RecordRating
from services.intake.tickets.lifecycle import TicketNotFound
from shared.db import UnitOfWork
from shared.events.intake import RatingRecorded


async def issue_link(command: IssueRatingLink, uow: UnitOfWork) -> tuple[rules.Link, str]:
    """IN-6: the ticket's rating link and its token; the same while it is valid."""
    key = tokens.signing_key(uow.settings)
    ticket = await store.ticket(uow.conn, command.ticket_id)
    if ticket is None:
        raise TicketNotFound(f"no ticket {command.ticket_id}")
    existing = await store.link(uow.conn, command.ticket_id)
    link = rules.link_for(ticket, existing, uow.now)
    if link != existing:
        link = await store.save_link(uow.conn, link)
    return link, tokens.encode(link, key)


async def record_rating(command: RecordRating, uow: UnitOfWork) -> dict[str, Any]:
    """IN-6: one rating per ticket, through a valid link, within its window.

    The checks run in this order so that a caller learns only what its token already says:
    a token we did not sign (404), one past its window (410), then the ticket's state (409).
    """
    claims = tokens.decode(command.token, tokens.signing_key(uow.settings))
    rules.check_open(claims.expires_at, uow.now)
    rules.check_rating(command.score, command.comment)
    ticket = await store.ticket(uow.conn, claims.ticket_id)
    if ticket is None:  # signed by us for a ticket that is gone: as good as no link
        raise rules.LinkInvalid("no such rating link")
    if ticket.status not in rules.RATEABLE:
        # Unlike the centre's view, the customer's answer does not name the ticket's status.
        raise rules.NotResolved("this ticket cannot be rated now")
    engineer_ids = await store.engineers_of(uow.conn, ticket.id)
    rating = await store.insert_rating(
        uow.conn, ticket.id, command.score, command.comment, engineer_ids, uow.now
    )
    if rating is None:
        raise rules.AlreadyRated("this ticket has been rated already")
    uow.publish(
        RatingRecorded(
            ticket_id=ticket.id,
            score=command.score,
            comment_length=len(command.comment or ""),
            engineer_ids=engineer_ids,
            recorded_at=uow.now,
        )
    )
    return rating
