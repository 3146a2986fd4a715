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
  The cost grows with the number of matches, since every match was ranked: a word in 98 % of
  the articles took 141 ms (ILIKE 156 ms just to count them), and the bench's searches at 16
  clients answered 21 a second with p99 2.8 s. Hence the order below.

The order of a search's hits (handlers.search, rules.take), as of the first page's time, which
the cursor carries:
1. Title hits (every part of the query in the title), then body hits. The title's terms are a
   column of their own, `title_search` (generated: the weight-A part of `search`), with its own
   GIN index: the title hits of a word that is in every body are found without reading a body.
2. Within a tier, windows of rules.SEARCH_WINDOW (200) hits by recency - the most recently
   updated first, by (updated_at, id), an index order - and
3. within a window, by score: 2 for a title hit, plus ts_rank with title weighed over body
   (normalised into [0, 1)), plus recency (0.5 for today, halving at one year); id breaks ties.
A search with at most 200 hits of each tier is thus ranked exactly as if every hit were ranked.
A word that is everywhere costs the same as one in 200 articles: one window is read through the
recency index until 200 hits (or through the GIN index when the words are rare: PostgreSQL picks
for the query's values, see plan_for_each_query) and only those are ranked. The price: an old
article that says the word often comes after the recent window, however close. The cursor holds
(tier, window, last score and id), so paging is stable and reaches every hit once.
Measured with EXPLAIN ANALYZE on PostgreSQL 15, 10,000 generated articles, the bench's 170
distinct queries, a busy shared machine: every statement of a search together 0.8-1.6 ms
median, 1.0-2.2 ms mean, 14 ms at most, plus 0.3-0.4 ms of planning; ranking every hit took
13-51 ms median, 17-57 ms mean, up to 0.5 s. At 16 clients (bench.knowledge) PostgreSQL spends
1.8-2.2 ms of CPU a search, down from 36 ms.
Both GIN indexes have fastupdate off: articles are written seldom, and a pending list of new
entries made every search read through it (3-7 ms) until a vacuum merged it.
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
    Ranked,
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


_TEXT_RANK = f"ts_rank('{RANK_WEIGHTS}', search, $1::tsquery, 32)"
# 0.5 for an article updated at the as-of time, 0.25 a year before it: recency orders near-equal texts.
_RECENCY = "0.5 / (1 + greatest(0, extract(epoch FROM $2::timestamptz - updated_at)) / 31536000.0)"
# The two tiers of a search: title hits (every part of the query in the title), then the rest.
_HITS = {
    True: "title_search @@ $1::tsquery",
    False: "search @@ $1::tsquery AND NOT title_search @@ $1::tsquery",
}
# $1 the query, $2 as of, $3 the status shown; the filters, then the window's size follow. The
# inner query picks the window by recency (an index order); only its rows are ranked.
_WINDOW = f"""SELECT id, updated_at, ({{title}} + {_braces(_TEXT_RANK)} + {_RECENCY})::float8 AS score
              FROM (SELECT id, updated_at, search FROM intake.knowledge_articles
                    WHERE {{hits}} AND status = $3 {{filters}}
                    ORDER BY updated_at DESC, id DESC LIMIT {{size}}) hits
              ORDER BY score DESC, id DESC"""
_GET_MANY = f"SELECT {COLUMNS} FROM intake.knowledge_articles WHERE id = ANY($1::uuid[])"
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


async def plan_for_each_query(conn: Connection) -> None:
    """Until the transaction ends, plan each statement for its values, not once for any value.

    asyncpg prepares a statement once; after five runs PostgreSQL may keep one generic plan for
    it, made without knowing the query. A search window's best plan depends on how common the
    words are (walk the recency index for a common word, the GIN index for a rare one): the
    generic plan read every hit of a common word, 19-55 ms where the right plan takes 1-4 ms.
    """
    await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")


async def ranked_window(
    conn: Connection,
    query: str,
    *,
    title_hits: bool,
    older_than: tuple[datetime, UUID] | None,
    as_of: datetime,
    status: ArticleStatus,
    category: str | None,
    model: str | None,
    size: int,
) -> list[Ranked]:
    """One window of a search (`query` from rules.search_query): the `size` most recently updated hits
    of the tier older than `older_than`, best first."""
    filters = Filters(query, as_of, status.value)
    filters.add_if(category, "category = {}").add_if(model, "{} = ANY(models)")
    if older_than is not None:
        filters.add("(updated_at, id) < ({}, {})", *older_than)
    sql = _WINDOW.format(
        title="2" if title_hits else "0",
        hits=_HITS[title_hits],
        filters=filters.where("AND"),
        size=filters.param(size),
    )
    rows = await conn.fetch(sql, *filters.args)
    return [Ranked(row["id"], row["updated_at"], row["score"]) for row in rows]


async def get_many(conn: Connection, ids: list[UUID]) -> list[Article]:
    """The articles of `ids` that exist, in the order of `ids`."""
    found = {row["id"]: _article(row) for row in await conn.fetch(_GET_MANY, ids)}
    return [found[i] for i in ids if i in found]


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
