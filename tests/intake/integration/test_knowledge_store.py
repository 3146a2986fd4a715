"""IN-8 search and suggestions on real PostgreSQL: Chinese without spaces, English in any case, titles first.

Each test runs in a unit of work that is never committed: what it writes is rolled back.
"""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from services.intake.knowledge import handlers
from services.intake.knowledge.commands import (
    DraftArticleFromTicket,
    ReviseArticle,
    SearchArticles,
    WriteArticle,
)
from services.intake.knowledge.rules import (
    SEARCH_WINDOW,
    ArticleExists,
    ArticleStatus,
    TicketNotResolved,
)
from shared.clock import FrozenClock
from shared.db import UnitOfWork
from shared.vocabulary import Category

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def uow(pool, intake_settings) -> AsyncIterator[UnitOfWork]:
    async with UnitOfWork(pool, intake_settings, clock=FrozenClock(NOW)) as work:
        yield work


async def write(
    uow: UnitOfWork,
    title: str,
    body: str,
    *,
    category=Category.network,
    models=(),
    status=ArticleStatus.published,
) -> uuid.UUID:
    [(article, _events)] = await handlers.write_articles(
        uow,
        [
            WriteArticle(
                title=title,
                body=body,
                category=category,
                models=tuple(models),
                tags=(),
                status=status,
                by="admin",
            )
        ],
    )
    return article["id"]


async def search(uow: UnitOfWork, q: str, **filters) -> list[str]:
    command = SearchArticles(
        q=q,
        status=filters.pop("status", ArticleStatus.published),
        category=filters.pop("category", None),
        model=filters.pop("model", None),
        limit=50,
    )
    found, _ = await handlers.search(uow, command, as_of=None, place=None)
    return [f.article.title for f in found]


async def test_a_two_character_chinese_word_finds_it_inside_a_longer_run(uow):
    await write(uow, "接入层故障", "现象：交换机端口抖动，日志中反复出现 link down。")
    await write(uow, "电源告警", "机房电源模块冗余失效。")
    assert await search(uow, "端口") == ["接入层故障"]


async def test_a_three_character_query_matches_only_the_whole_run(uow):
    await write(uow, "交换机重启", "核心交换机重启后恢复。")
    await write(uow, "换机流程", "交换 与 换机 是两件事。")  # both bigrams, never adjacent
    assert await search(uow, "交换机") == ["交换机重启"]


async def test_a_single_chinese_character_finds_it_even_at_the_end_of_a_run(uow):
    await write(uow, "光模块", "更换光模")
    assert await search(uow, "模") == ["光模块"]


async def test_english_is_case_insensitive_and_matches_word_prefixes(uow):
    await write(uow, "Port flapping on access switches", "Replace the SFP.")
    assert await search(uow, "PORT") == ["Port flapping on access switches"]
    assert await search(uow, "Flap SWITCH") == ["Port flapping on access switches"]
    assert await search(uow, "router") == []


async def test_a_title_hit_ranks_above_a_body_hit_however_often_the_body_says_it(uow):
    await write(uow, "日志分析", "端口 " * 40)
    await write(uow, "端口抖动处理", "检查光模块。")
    assert await search(uow, "端口") == ["端口抖动处理", "日志分析"]


async def test_between_equal_texts_the_more_recently_updated_ranks_first(uow):
    old = await write(uow, "电源故障 旧", "电源模块")
    await write(uow, "电源故障 新", "电源模块")
    await uow.conn.execute(
        "UPDATE intake.knowledge_articles SET updated_at = $2 WHERE id = $1",
        old,
        NOW - timedelta(days=400),
    )
    assert await search(uow, "电源") == ["电源故障 新", "电源故障 旧"]


async def test_drafts_and_archived_articles_are_not_found_as_published(uow):
    await write(uow, "草稿 端口", "x", status=ArticleStatus.draft)
    archived = await write(uow, "归档 端口", "x")
    await handlers.revise(uow, ReviseArticle(archived, {"status": ArticleStatus.archived}, "admin"))
    assert await search(uow, "端口") == []
    assert await search(uow, "端口", status=ArticleStatus.draft) == ["草稿 端口"]


async def test_category_and_model_narrow_a_search(uow):
    await write(uow, "端口 A", "x", category=Category.network, models=["S5720"])
    await write(uow, "端口 B", "x", category=Category.storage, models=["OceanStor 5300"])
    assert await search(uow, "端口", category=Category.storage) == ["端口 B"]
    assert await search(uow, "端口", model="S5720") == ["端口 A"]


async def test_a_revised_body_is_searched_by_its_new_text(uow):
    article = await write(uow, "处理步骤", "重启设备")
    await handlers.revise(uow, ReviseArticle(article, {"body": "更换风扇"}, "admin"))
    assert await search(uow, "风扇") == ["处理步骤"]
    assert await search(uow, "重启") == []


async def test_the_next_page_continues_where_the_ranking_left_off(uow):
    for i in range(5):
        await write(uow, f"端口 {i}", "端口 " * i)
    command = SearchArticles(
        q="端口", status=ArticleStatus.published, category=None, model=None, limit=2
    )
    first, as_of = await handlers.search(uow, command, as_of=None, place=None)
    second, _ = await handlers.search(uow, command, as_of=as_of, place=first[-1].place)
    everything, _ = await handlers.search(
        uow,
        SearchArticles("端口", ArticleStatus.published, None, None, 10),
        as_of=as_of,
        place=None,
    )
    assert [f.article.id for f in first + second] == [f.article.id for f in everything[:4]]


async def test_a_word_in_every_article_still_puts_the_title_hits_first_then_the_closest_body_hits(
    uow,
):
    # More articles than a search ranks at once, every one of them saying 端口; the two title hits
    # are the oldest, so that no window of the most recent hits holds them.
    commands = [
        WriteArticle(
            "端口抖动处理", "端口 " * 5, Category.network, (), (), ArticleStatus.published, "a"
        ),
        WriteArticle(
            "端口", "检查光模块。", Category.network, (), (), ArticleStatus.published, "a"
        ),
        WriteArticle(
            "巡检 近", "端口 " * 30, Category.network, (), (), ArticleStatus.published, "a"
        ),
    ] + [
        WriteArticle(
            f"巡检 {i}", "端口正常。", Category.network, (), (), ArticleStatus.published, "a"
        )
        for i in range(SEARCH_WINDOW + 30)
    ]
    written = [article["id"] for article, _ in await handlers.write_articles(uow, commands)]
    ages = [timedelta(days=400), timedelta(days=401), timedelta(minutes=7)] + [
        timedelta(minutes=i) for i in range(SEARCH_WINDOW + 30)
    ]
    await uow.conn.executemany(
        "UPDATE intake.knowledge_articles SET updated_at = $2 WHERE id = $1",
        [(article_id, NOW - age) for article_id, age in zip(written, ages, strict=True)],
    )
    command = SearchArticles("端口", ArticleStatus.published, None, None, 10)
    first, as_of = await handlers.search(uow, command, as_of=None, place=None)
    assert [f.article.title for f in first[:3]] == ["端口抖动处理", "端口", "巡检 近"]
    assert [f.article.title for f in first[3:]] == [f"巡检 {i}" for i in range(7)]

    # Page after page, every article once, the title hits before any body hit.
    seen, place = list(first), first[-1].place
    for _ in range(len(commands)):  # bounded: one page of 10 at least per turn
        page, _ = await handlers.search(uow, command, as_of=as_of, place=place)
        if not page:
            break
        seen += page
        place = page[-1].place
    assert sorted(f.article.id for f in seen) == sorted(written)
    assert [f.score is not None and f.score >= 2 for f in seen[:3]] == [True, True, False]


async def new_ticket(
    uow: UnitOfWork,
    *,
    summary: str,
    description: str,
    category: str = "network",
    status: str = "new",
) -> uuid.UUID:
    customer_id, ticket_id = uuid.uuid4(), uuid.uuid4()
    await uow.conn.execute(
        "INSERT INTO intake.customers (id, name, created_at) VALUES ($1, 'ACME', $2)",
        customer_id,
        NOW,
    )
    await uow.conn.execute(
        """INSERT INTO intake.tickets (id, number, customer_id, summary, description, channel, category, impact,
                                       priority, status, created_by, created_at, updated_at,
                                       reported_at, occurrences, last_occurred_at)
           VALUES ($1, $2, $3, $4, $5, 'phone', $6, 'degraded', 'P2', $7, 'test', $8, $8, $8, 1, $8)""",
        ticket_id,
        f"T-{ticket_id.hex[:8]}",
        customer_id,
        summary,
        description,
        category,
        status,
        NOW,
    )
    return ticket_id


async def test_suggestions_put_the_ticket_s_symptom_above_its_category_and_leave_drafts_out(uow):
    ticket = await new_ticket(
        uow, summary="核心交换机端口抖动", description="Uplink port flapping since 09:00"
    )
    await write(uow, "端口抖动排查", "Check the SFP and the cable.", category=Category.network)
    await write(uow, "存储端口抖动", "光纤端口抖动", category=Category.storage)
    await write(uow, "网络规范", "无关内容", category=Category.network)
    await write(uow, "Power supply", "Replace PSU", category=Category.host, models=["S5720"])
    await write(uow, "端口抖动 草稿", "x", status=ArticleStatus.draft)
    found = await handlers.suggestions(uow, ticket, model=None, limit=10)
    assert [f.article.title for f in found] == ["端口抖动排查", "存储端口抖动", "网络规范"]
    with_model = await handlers.suggestions(uow, ticket, model="S5720", limit=10)
    assert "Power supply" in [f.article.title for f in with_model]


async def test_a_resolved_ticket_becomes_one_draft(uow):
    ticket = await new_ticket(
        uow, summary="端口抖动", description="更换光模块后恢复", status="resolved"
    )
    [(draft, _)] = await handlers.draft_from_tickets(uow, [DraftArticleFromTicket(ticket, "admin")])
    assert draft["status"] is ArticleStatus.draft and draft["source_ticket_id"] == ticket
    assert draft["created_at"] == NOW
    [again] = await handlers.draft_from_tickets(uow, [DraftArticleFromTicket(ticket, "admin")])
    assert isinstance(again, ArticleExists)


async def test_an_open_ticket_or_an_unknown_one_is_refused_and_spares_the_batch(uow):
    open_ticket = await new_ticket(uow, summary="端口抖动", description="x")
    resolved = await new_ticket(uow, summary="电源", description="y", status="closed")
    refused, missing, drafted = await handlers.draft_from_tickets(
        uow,
        [
            DraftArticleFromTicket(open_ticket, "admin"),
            DraftArticleFromTicket(uuid.uuid4(), "admin"),
            DraftArticleFromTicket(resolved, "admin"),
        ],
    )
    assert isinstance(refused, TicketNotResolved) and isinstance(missing, handlers.TicketNotFound)
    assert drafted[0]["title"] == "电源"
