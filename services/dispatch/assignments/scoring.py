"""DS-1/DS-2: who gets a fault event. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from shared.errors import DomainError
from shared.vocabulary import Category

# DS-2: an engineer's skills are the task groups tickets are sorted into.
Skill = Category


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


class NotAssignable(DomainError):
    title = "Nobody can take this ticket"


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
