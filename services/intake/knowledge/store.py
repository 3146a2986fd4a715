"""Every SQL statement of the knowledge base: articles, their search, and the tickets they come from.

How Chinese is searched (IN-8: a search for 端口 finds a body that says 交换机端口抖动).
PostgreSQL's text-search parsers do not split Chinese into words. Two methods were compared on
10,000 generated articles (bench/seed.py: mixed Chinese/English, Zipf word frequencies, bodies
of about 600 characters), one client, PostgreSQL 15 under C.UTF-8:

- pg_trgm, GIN trigram indexes on title and body, ILIKE '%q%'. Not chosen. (1) Whether a CJK
  character is a word character at all depends on the database's LC_CTYPE: under C.UTF-8
  show_trgm('交换机端口抖动') gives 8 trigrams, but under the C locale of the embedded server that
  `fieldops up` and `make bench` start (`initdb --no-locale`; PostgreSQL 18.6, which does ship
  pg_trgm) it gives {} and similarity() is 0: the index holds nothing of a Chinese text. (2) A
  2-character query, the commonest Chinese word length (端口, 电源), has no trigram of its own even
  where CJK are word characters: the planner reads the whole table. A 2-character word in 254 of
  the 10,000 articles took 256 ms this way.
- Chosen: a `search` tsvector per article, written by the store from rules.document(): each CJK
  run as overlapping bigrams plus its last character, each other word case-folded, title at
  weight A and body at weight B, in tsvector's own input syntax so that no parser and no locale
  stands between the text and the index; one GIN index on it. A 1-character query is a prefix
  ('端':*), 2 characters one bigram, 3+ a phrase of bigrams at consecutive positions (so 交换机
  matches 交换机, never 交换 ... 换机 apart), English words prefixes. The same on every locale,
  and ts_rank comes with it. The same 2-character word: 2-4 ms to match, 8 ms ranked.
  The cost grows with the number of matches, since every match is ranked: a word in 98 % of
  the articles took 141 ms (ILIKE 156 ms just to count them).

Ranking (search): a title hit (2) above any body hit, then ts_rank with title weighed over body
(normalised into [0, 1)), then recency (0.5 for today, halving at one year); all computed "as of"
the first page's time, which the cursor carries, so that every page ranks the same way.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
from asyncpg import Connection

from services.intake.knowledge.rules import (
    RANK_WEIGHTS,
    Article,
    ArticleExists,
    ArticleStatus,
    TicketForArticle,
    any_of,
)
from shared.sql import Filters
from shared.vocabulary import Category

COLUMNS = (
    "id, title, body, category, models, tags, status, source_ticket_id, created_by, created_at, "
    "updated_at"
)

_INSERT = f"""INSERT INTO intake.knowledge_articles
                  (id, title, body, category, models, tags, status, source_ticket_id, search, created_by,
                   created_at, updated_at)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::tsvector, $10, $11, $11)
              RETURNING {COLUMNS}"""
_GET = f"SELECT {COLUMNS} FROM intake.knowledge_articles WHERE id = $1"
_LOCK = f"{_GET} FOR UPDATE"
_UPDATE = f"""UPDATE intake.knowledge_articles
              SET title = $2, body = $3, category = $4, models = $5, tags = $6, status = $7,
                  search = $8::tsvector, updated_at = $9
              WHERE id = $1
              RETURNING {COLUMNS}"""


def _braces(sql: str) -> str:
    """SQL text that goes through str.format once more (the filters are filled in later)."""
    return sql.replace("{", "{{").replace("}", "}}")


_TITLE_HIT = "CASE WHEN ts_filter(search, '{a}') @@ $1::tsquery THEN 2 ELSE 0 END"
_TEXT_RANK = f"ts_rank('{RANK_WEIGHTS}', search, $1::tsquery, 32)"
# 0.5 for an article updated at the as-of time, 0.25 a year before it: recency orders near-equal texts.
_RECENCY = "0.5 / (1 + greatest(0, extract(epoch FROM $2::timestamptz - updated_at)) / 31536000.0)"
# $1 the query, $2 as of, $3 the status shown; the filters follow.
_RANKED = f"""SELECT {COLUMNS}, score FROM (
                  SELECT {COLUMNS}, ({_braces(_TITLE_HIT)} + {_braces(_TEXT_RANK)} + {_RECENCY})::float8 AS score
                  FROM intake.knowledge_articles
                  WHERE search @@ $1::tsquery AND status = $3 {{filters}}
              ) ranked {{after}}
              ORDER BY score DESC, id DESC LIMIT {{limit}}"""
_RECENT = f"""SELECT {COLUMNS} FROM intake.knowledge_articles {{where}}
              ORDER BY updated_at DESC, id DESC LIMIT {{limit}}"""

# IN-8 suggestions: closeness to the ticket's text counts most (up to 2), the same product model
# 1, the same category 0.5, recency up to 0.25: an article that describes the symptom beats one
# that only shares the category. ts_rank of an OR query is the mean over the query's terms, so a
# long ticket would rank every article near 0: times the number of terms ($6) it is their sum,
# which m / (m + 1) brings into [0, 1).
_CLOSENESS = f"coalesce(ts_rank('{RANK_WEIGHTS}', search, $1::tsquery, 0), 0) * $6"
_SUGGEST = f"""SELECT {COLUMNS},
                      (2 * {_CLOSENESS} / ({_CLOSENESS} + 1)
                       + CASE WHEN $3::text = ANY(models) THEN 1 ELSE 0 END
                       + CASE WHEN category = $2 THEN 0.5 ELSE 0 END
                       + 0.5 * {_RECENCY.replace("$2", "$4")})::float8 AS score
               FROM intake.knowledge_articles
               WHERE status = 'published' AND (search @@ $1::tsquery OR category = $2 OR $3::text = ANY(models))
               ORDER BY score DESC, id DESC LIMIT $5"""

# The ticket as a draft sees it, with the report of its latest resolution (a reopened and
# resolved again ticket keeps both: the later one is what fixed it).
_TICKET_FOR_ARTICLE = """SELECT t.id, t.status, t.category, t.summary, t.description, r.work_done,
                                r.root_cause
                         FROM intake.tickets t
                         LEFT JOIN LATERAL (
                             SELECT work_done, root_cause FROM intake.service_reports
                             WHERE ticket_id = t.id
                             ORDER BY resolved_at DESC, recorded_at DESC, id DESC LIMIT 1
                         ) r ON true
                         WHERE t.id = $1"""


def _article(row: asyncpg.Record) -> Article:
    return Article(
        id=row["id"],
        title=row["title"],
        body=row["body"],
        category=Category(row["category"]),
        models=tuple(row["models"]),
        tags=tuple(row["tags"]),
        status=ArticleStatus(row["status"]),
        source_ticket_id=row["source_ticket_id"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def insert(conn: Connection, article: Article, search: str) -> Article:
    try:
        row = await conn.fetchrow(
            _INSERT,
            article.id,
            article.title,
            article.body,
            article.category.value,
            list(article.models),
            list(article.tags),
            article.status.value,
            article.source_ticket_id,
            search,
            article.created_by,
            article.created_at,
        )
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name == "uq_knowledge_articles_source_ticket_id":
            raise ArticleExists(
                f"ticket {article.source_ticket_id} already has an article",
                ticket_id=article.source_ticket_id,
            ) from None
        raise
    return _article(row)


async def get(conn: Connection, article_id: UUID) -> Article | None:
    row = await conn.fetchrow(_GET, article_id)
    return None if row is None else _article(row)


async def lock(conn: Connection, article_id: UUID) -> Article | None:
    row = await conn.fetchrow(_LOCK, article_id)
    return None if row is None else _article(row)


async def update(conn: Connection, article: Article, search: str) -> Article:
    row = await conn.fetchrow(
        _UPDATE,
        article.id,
        article.title,
        article.body,
        article.category.value,
        list(article.models),
        list(article.tags),
        article.status.value,
        search,
        article.updated_at,
    )
    return _article(row)


async def search(
    conn: Connection,
    query: str,
    *,
    as_of: datetime,
    status: ArticleStatus,
    category: str | None,
    model: str | None,
    after: tuple[float, UUID] | None,
    limit: int,
) -> list[tuple[Article, float]]:
    """Articles matching `query` (a tsquery from rules.search_query), best first, after the cursor's position."""
    filters = Filters(query, as_of, status.value)
    filters.add_if(category, "category = {}").add_if(model, "{} = ANY(models)")
    cursor = Filters(*filters.args)
    if after is not None:
        cursor.add("(score, id) < ({}::float8, {})", *after)
    sql = _RANKED.format(
        filters=filters.where("AND"), after=cursor.where(), limit=cursor.param(limit)
    )
    return [(_article(row), row["score"]) for row in await conn.fetch(sql, *cursor.args)]


async def recent(
    conn: Connection,
    *,
    status: ArticleStatus,
    category: str | None,
    model: str | None,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[Article]:
    filters = Filters().add("status = {}", status.value)
    filters.add_if(category, "category = {}").add_if(model, "{} = ANY(models)")
    if after is not None:
        filters.add("(updated_at, id) < ({}, {})", *after)
    sql = _RECENT.format(where=filters.where(), limit=filters.param(limit))
    return [_article(row) for row in await conn.fetch(sql, *filters.args)]


async def suggest(
    conn: Connection,
    terms: list[str],
    *,
    category: str,
    model: str | None,
    as_of: datetime,
    limit: int,
) -> list[tuple[Article, float]]:
    rows = await conn.fetch(_SUGGEST, any_of(terms), category, model, as_of, limit, len(terms))
    return [(_article(row), row["score"]) for row in rows]


async def ticket_for_article(conn: Connection, ticket_id: UUID) -> TicketForArticle | None:
    row = await conn.fetchrow(_TICKET_FOR_ARTICLE, ticket_id)
    if row is None:
        return None
    return TicketForArticle(
        id=row["id"],
        status=row["status"],
        category=Category(row["category"]),
        summary=row["summary"],
        description=row["description"],
        work_done=row["work_done"],
        root_cause=row["root_cause"],
    )
