"""DS-1/DS-2: the first assignment rule, still behind the ticket-created handler. Pure: no I/O.

`decision.decide` supersedes it (shifts, on-call, capacity, distance, crews, an explanation);
this goes once the handler decides with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.dispatch.assignments.decision import NotAssignable, Skill

__all__ = ["Candidate", "NotAssignable", "OpenTicket", "Skill", "can_handle", "choose_engineer"]


@dataclass(frozen=True, slots=True)
class OpenTicket:
    ticket_id: UUID
    category: str
    region: str | None


@dataclass(frozen=True, slots=True)
class Candidate:
    engineer_id: UUID
    skills: frozenset[str]
    region: str | None
    load: int  # active assignments


def can_handle(candidate: Candidate, category: str) -> bool:
    # Anything outside the named task groups goes to whoever is free.
    return category == Skill.other or category in candidate.skills


def choose_engineer(ticket: OpenTicket, candidates: list[Candidate]) -> Candidate:
    """DS-1/DS-2: the least-loaded engineer with the skill, preferring the ticket's own region."""
    skilled = [c for c in candidates if can_handle(c, ticket.category)]
    if not skilled:
        raise NotAssignable(
            f"no active engineer has the skill {ticket.category!r}", reason="no_skilled_engineer"
        )
    local = [c for c in skilled if ticket.region is not None and c.region == ticket.region]
    # The mobile pool (DS-2) covers regions without a local engineer.
    pool = local or skilled
    return min(pool, key=lambda c: (c.load, str(c.engineer_id)))
