"""IN-8 knowledge base rules: what an article is, how text becomes search terms, how a ticket becomes a draft.

No I/O here. Text becomes terms the same way for an article and for a query, in Python and
not by a PostgreSQL text-search parser, so that matching does not depend on the database's
locale (see store.py for why):
- a run of CJK characters (Han, kana, hangul) becomes its overlapping bigrams, plus its last
  character alone (交换机 -> 交换 换机 机), one position each, so a query of any length finds
  the run it is part of: one character as a prefix, two as a bigram, more as a phrase of
  bigrams at consecutive positions;
- any other run of letters and digits is one word, NFKC-normalised and case-folded
  (Ｐort, PORT and port are the same word); a query word matches as a prefix (flap -> flapping).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from shared.errors import Conflict
from shared.vocabulary import Category

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")

# tsvector limits: positions above 16383 collapse into 16383 and a lexeme keeps at most 256
# of them; a body is capped (schemas.BODY_MAX) so that its positions stay below the first.
MAX_POSITION = 16_383
MAX_POSITIONS_PER_TERM = 256
MAX_WORD = 64  # a longer "word" is a hash or a dump, not something anyone types
SUGGESTION_TERMS = 64  # a ticket's first distinct terms: its summary, then its description
# Words every English description has: as suggestion terms they would match every article.
_COMMON_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "no",
        "not",
        "of",
        "on",
        "or",
        "since",
        "so",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "with",
    ]
)

# Ranking weights, {D, C, B, A} as ts_rank takes them: the title is written with weight A,
# the body with B.
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
# A search ranks at most this many hits at a time: the most recently updated ones of a tier (see
# store.py). Above the largest page (200), so that a page needs at most two windows of a tier.
SEARCH_WINDOW = 200


class ArticleStatus(StrEnum):
    draft = "draft"
    published = "published"
    # IN-8 keeps every service record for analysis: an article is archived, never deleted.
    archived = "archived"


@dataclass(frozen=True, slots=True)
class Article:
    id: UUID
    title: str
    body: str
    category: Category
    models: tuple[str, ...]
    tags: tuple[str, ...]
    status: ArticleStatus
    source_ticket_id: UUID | None
    created_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class TicketForArticle:
    """What a draft article is made from. work_done and root_cause come from the ticket's service report."""

    id: UUID
    status: str
    category: Category
    summary: str
    description: str
    work_done: str | None = None
    root_cause: str | None = None


class TicketNotResolved(Conflict):
    title = "Ticket not resolved"


class ArticleExists(Conflict):
    title = "Article exists"


RESOLVED = frozenset({"resolved", "closed"})
REVISABLE = frozenset({"title", "body", "category", "models", "tags", "status"})


@dataclass(frozen=True, slots=True)
class Ranked:
    """A hit of a search window, ranked; its article is read once the page is chosen."""

    id: UUID
    updated_at: datetime
    score: float


@dataclass(frozen=True, slots=True)
class Place:
    """Where a page of search results starts (a search's order is described in store.py).

    The tier (title hits, then body hits); the window of that tier (its hits older, by
    (updated_at, id), than `older_than`; None: the most recent); in the window, the hits ranked
    below `after` (score, id).
    """

    title_hits: bool = True
    older_than: tuple[datetime, UUID] | None = None
    after: tuple[float, UUID] | None = None


def take(
    window: list[Ranked], place: Place, wanted: int, size: int = SEARCH_WINDOW
) -> tuple[list[tuple[Ranked, Place]], Place | None]:
    """Up to `wanted` hits of `window` (ranked best first) from `place` on, each with the place just
    after it, and the place to read next: the same window, the next older one, the body hits, or
    None when the search has nothing more."""
    rest = [r for r in window if place.after is None or (r.score, r.id) < place.after]
    taken = [(r, replace(place, after=(r.score, r.id))) for r in rest[:wanted]]
    if len(taken) == wanted:
        return taken, taken[-1][1] if taken else place
    if len(window) == size:  # a full window: older hits of this tier may follow
        oldest = min((r.updated_at, r.id) for r in window)
        return taken, Place(place.title_hits, oldest)
    return taken, Place(title_hits=False) if place.title_hits else None


def draft_from_ticket(ticket: TicketForArticle) -> dict[str, Any]:
    """IN-8: a resolved ticket's report becomes a draft an editor then rewrites for the manual."""
    if ticket.status not in RESOLVED:
        raise TicketNotResolved(
            f"ticket {ticket.id} is {ticket.status}; only a resolved ticket becomes an article",
            ticket_id=ticket.id,
            ticket_status=ticket.status,
        )
    sections = [
        ("Symptom", ticket.description or ticket.summary),
        ("Root cause", ticket.root_cause),
        ("Work done", ticket.work_done),
    ]
    body = "\n\n".join(
        f"{heading}\n{text.strip()}" for heading, text in sections if text and text.strip()
    )
    return {
        "title": ticket.summary,
        "body": body,
        "category": ticket.category,
        "models": (),
        "tags": (),
        "status": ArticleStatus.draft,
        "source_ticket_id": ticket.id,
    }


def revise(article: Article, changes: Mapping[str, Any], at: datetime) -> Article:
    unknown = set(changes) - REVISABLE
    if unknown:
        raise ValueError(f"not revisable: {sorted(unknown)}")
    return replace(article, **changes, updated_at=at)


# --- text into terms --------------------------------------------------------------------------


def _is_cjk(token: str) -> bool:
    return "\u3040" <= token[0] <= "\ud7af" or "\uf900" <= token[0] <= "\ufaff"


def tokens(text: str) -> Iterator[str]:
    """The runs of a text: CJK runs whole, other words case-folded (both NFKC-normalised)."""
    for match in _TOKEN.finditer(unicodedata.normalize("NFKC", text)):
        token = match.group()
        yield token if _is_cjk(token) else token.casefold()[:MAX_WORD]


def _terms(token: str) -> list[str]:
    if not _is_cjk(token):
        return [token]
    return [token[i : i + 2] for i in range(len(token) - 1)] + [token[-1]]


def positioned_terms(text: str, start: int = 1) -> Iterator[tuple[str, int]]:
    position = start
    for token in tokens(text):
        for term in _terms(token):
            yield term, min(position, MAX_POSITION)
            position += 1
        # a gap between runs: a phrase never spans two runs (交换机 端口 does not hold 机端)
        position += 1


def _quote(term: str) -> str:
    # Terms hold only letters, digits and CJK (see _TOKEN): no quote or backslash to escape.
    return f"'{term}'"


def document(title: str, body: str) -> str:
    """The article's tsvector, as tsvector's own input syntax: no parser, so no locale, in between."""
    positions: dict[str, list[str]] = {}
    last = 0
    for weight, text in (("A", title), ("B", body)):
        for term, position in positioned_terms(text, last + 2):
            seen = positions.setdefault(term, [])
            if len(seen) < MAX_POSITIONS_PER_TERM:
                seen.append(f"{position}{weight}")
            last = position
    return " ".join(f"{_quote(term)}:{','.join(at)}" for term, at in positions.items())


def search_query(q: str) -> str | None:
    """Every run of the query must occur: a CJK run as a phrase of its bigrams, a word as a prefix.

    None when the query holds no letter, digit or CJK character at all.
    """
    parts = []
    for token in dict.fromkeys(tokens(q)):
        if not _is_cjk(token) or len(token) == 1:
            parts.append(f"{_quote(token)}:*")
        else:
            bigrams = [token[i : i + 2] for i in range(len(token) - 1)]
            phrase = " <-> ".join(_quote(b) for b in bigrams)
            parts.append(f"( {phrase} )" if len(bigrams) > 1 else phrase)
    return " & ".join(parts) if parts else None


def suggestion_terms(texts: Iterable[str]) -> list[str]:
    """A ticket's first distinct words and bigrams; single characters and common words match too much."""
    chosen: dict[str, None] = {}
    for text in texts:
        for token in tokens(text):
            for term in _terms(token):
                if len(term) < 2 or term in _COMMON_WORDS or len(chosen) >= SUGGESTION_TERMS:
                    continue
                chosen[term] = None
    return list(chosen)


def any_of(terms: Iterable[str]) -> str | None:
    """A tsquery matching an article that holds any of the terms."""
    return " | ".join(_quote(term) for term in terms) or None
