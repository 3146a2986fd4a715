"""What the benchmark needs in the system before it measures, created through the public API."""

from __future__ import annotations

import asyncio
import itertools
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from shared.auth import issue_dev_token
from shared.db import asyncpg_dsn
from shared.settings import Settings

# Tickets of the end-to-end phase fall into these; the bench's engineers have all of them.
E2E_CATEGORIES = ["host", "network", "security", "system_software"]
# The throughput phase's tickets fall into a category no bench engineer has: dispatch reports
# them unassignable, so they never crowd the engineers' `assigned` lists that the end-to-end
# phase watches (its observer reads the first 200).
THROUGHPUT_CATEGORIES = ["storage"]
# The manufacturers of the bench's parts; each vendor token's `vendor` claim names one.
VENDORS = ["ACME", "GLOBEX", "INITECH", "UMBRELLA"]
LOCATIONS = {"WH-NORTH": (39.9, 116.4), "WH-SOUTH": (31.2, 121.5)}
LOCATION_KIND = "regional_office"
REGIONS = ["north", "south"]


@dataclass(frozen=True)
class Seed:
    customer_ids: list[str]
    engineers: list[tuple[str, str]]  # (engineer id, token with sub = that id)
    parts: list[tuple[str, str]]  # (part number, token of the part's manufacturer)
    writer_token: str
    serials: list[str] = field(default_factory=list)  # tickets by serial (entitlement lookup)
    alarm_serials: list[str] = field(default_factory=list)  # the alarm storm's assets, apart


def part_body(part_number: str, manufacturer: str, index: int) -> dict:
    """A catalogue entry as the back office registers one: original and new (IV-4)."""
    return {
        "part_number": part_number,
        "manufacturer": manufacturer,
        "description": f"Bench part {index}",
        "models": ["S5735"],
        "original": True,
        "condition": "new",
        "unit_cost": 120.5,
    }


async def seed(
    urls: dict[str, str],
    settings: Settings,
    *,
    customers: int = 20,
    engineers: int = 4,
    parts: int = 20,
) -> Seed:
    """Through the API, with tokens signed by `settings`' secret: the one the services were given."""
    admin = {"Authorization": f"Bearer {issue_dev_token(settings, 'bench-admin', ['admin'])}"}
    async with httpx.AsyncClient(timeout=30.0, headers=admin) as http:

        async def post(service: str, path: str, body: dict) -> dict:
            response = await http.post(
                f"{urls[service]}{path}", json=body, headers={"Idempotency-Key": str(uuid.uuid4())}
            )
            if response.status_code != 201:
                raise RuntimeError(
                    f"seeding {service} {path}: HTTP {response.status_code} {response.text[:500]}"
                )
            return response.json()

        made_customers = await asyncio.gather(
            *(
                post(
                    "intake",
                    "/v1/customers",
                    {"name": f"Bench Customer {i}", "region": REGIONS[i % len(REGIONS)]},
                )
                for i in range(customers)
            )
        )
        made_engineers = await asyncio.gather(
            *(
                post(
                    "dispatch",
                    "/v1/engineers",
                    # Each takes a round's share of the end-to-end tickets (3,000 in 30 s).
                    {
                        "name": f"Bench Engineer {i}",
                        "skills": E2E_CATEGORIES,
                        "regions": REGIONS,
                        "capacity": 1000,
                    },
                )
                for i in range(engineers)
            )
        )
        # Two regional stores 1,000 km apart, each holding 100 of every part.
        locations = await asyncio.gather(
            *(
                post(
                    "inventory",
                    "/v1/locations",
                    {"name": name, "kind": LOCATION_KIND, "latitude": lat, "longitude": lon},
                )
                for name, (lat, lon) in LOCATIONS.items()
            )
        )
        numbers = [f"BENCH-{i:04d}" for i in range(parts)]
        await asyncio.gather(
            *(
                post("inventory", "/v1/parts", part_body(n, VENDORS[i % len(VENDORS)], i))
                for i, n in enumerate(numbers)
            )
        )
        await asyncio.gather(
            *(
                post(
                    "inventory",
                    "/v1/receipts",
                    {
                        "part_number": n,
                        "location_id": location["id"],
                        "quantity": 100,
                        "delivery_reference": f"BENCH-DN-{n}-{name}",
                    },
                )
                for n in numbers
                for name, location in zip(LOCATIONS, locations, strict=True)
            )
        )

    engineer_scopes = ["assignments:read", "assignments:write"]
    return Seed(
        customer_ids=[c["id"] for c in made_customers],
        engineers=[
            (e["id"], issue_dev_token(settings, e["id"], engineer_scopes)) for e in made_engineers
        ],
        parts=[
            (
                n,
                issue_dev_token(
                    settings,
                    f"vendor-{VENDORS[i % len(VENDORS)]}",
                    ["parts:read"],
                    vendor=VENDORS[i % len(VENDORS)],
                ),
            )
            for i, n in enumerate(numbers)
        ],
        writer_token=issue_dev_token(
            settings, "bench-call-centre", ["tickets:write", "tickets:read"]
        ),
    )


# --- installed base: sites, contracts and assets, for tickets by serial and the alarm storm ---

ALARM_ASSETS = 20


async def seed_installed_base(
    urls: dict[str, str],
    settings: Settings,
    seeded: Seed,
    *,
    assets_per_customer: int = 10,
) -> Seed:
    """Per customer a site and a contract; its assets through the API, as a back office keeps
    them. The storm's assets are apart, so its tickets never mix with the creates'."""
    admin = {"Authorization": f"Bearer {issue_dev_token(settings, 'bench-admin', ['admin'])}"}
    async with httpx.AsyncClient(base_url=urls["intake"], timeout=30.0, headers=admin) as http:

        async def post(path: str, body: dict) -> dict:
            response = await http.post(path, json=body)
            if response.status_code != 201:
                raise RuntimeError(
                    f"seeding intake {path}: HTTP {response.status_code} {response.text[:500]}"
                )
            return response.json()

        async def install(index: int, customer_id: str) -> list[str]:
            site = await post(
                "/v1/sites",
                {
                    "customer_id": customer_id,
                    "name": f"Bench site {index}",
                    "address": f"{index} Bench Road",
                    "latitude": 31.2,
                    "longitude": 121.5,
                    "timezone": "Asia/Shanghai",
                    "region": REGIONS[index % len(REGIONS)],
                },
            )
            contract = await post(
                "/v1/contracts",
                {
                    "customer_id": customer_id,
                    "coverage": "7x24" if index % 2 else "5x8",
                    "onsite_minutes": 120,
                    "calendar": "24x7" if index % 2 else "cn-5x8",
                    "warranty_start": "2026-01-01",
                    "warranty_end": "2030-12-31",
                },
            )
            serials = []
            for n in range(assets_per_customer):
                asset = await post(
                    "/v1/assets",
                    {
                        "customer_id": customer_id,
                        "site_id": site["id"],
                        "contract_id": contract["id"],
                        "manufacturer": VENDORS[n % len(VENDORS)],
                        "model": "S5735",
                        "serial": f"BENCH-SN-{index:03d}-{n:03d}",
                        "accepted_on": "2026-03-01",
                    },
                )
                serials.append(asset["serial"])
            return serials

        per_customer = await asyncio.gather(
            *(install(i, c) for i, c in enumerate(seeded.customer_ids))
        )
    serials = [s for some in per_customer for s in some]
    # The first ALARM_ASSETS assets across customers take the storm; the rest the creates.
    alarm_serials = [some[0] for some in per_customer][:ALARM_ASSETS]
    others = [s for s in serials if s not in set(alarm_serials)]
    return Seed(**{**seeded.__dict__, "serials": others, "alarm_serials": alarm_serials})


# --- knowledge base -------------------------------------------------------------------------------

_CHINESE = [
    "交换机",
    "端口",
    "抖动",
    "光模块",
    "电源",
    "风扇",
    "告警",
    "链路",
    "中断",
    "重启",
    "升级",
    "固件",
    "配置",
    "路由",
    "丢包",
    "延迟",
    "存储",
    "磁盘",
    "阵列",
    "控制器",
    "服务器",
    "内存",
    "主板",
    "温度",
    "过高",
    "机房",
    "空调",
    "防火墙",
    "策略",
    "会话",
    "认证",
    "失败",
    "证书",
    "过期",
    "日志",
    "分析",
    "备份",
    "恢复",
    "数据库",
    "连接",
    "超时",
    "负载",
    "均衡",
    "集群",
    "节点",
    "心跳",
    "网卡",
    "驱动",
    "补丁",
    "漏洞",
    "扫描",
    "时钟",
    "同步",
    "光纤",
    "衰减",
    "供电",
    "冗余",
    "巡检",
]
_ENGLISH = [
    "switch",
    "port",
    "flapping",
    "sfp",
    "module",
    "power",
    "supply",
    "fan",
    "alarm",
    "link",
    "down",
    "reboot",
    "upgrade",
    "firmware",
    "config",
    "route",
    "packet",
    "loss",
    "latency",
    "storage",
    "disk",
    "array",
    "controller",
    "server",
    "memory",
    "board",
    "temperature",
    "high",
    "firewall",
    "policy",
    "session",
    "auth",
    "failure",
    "certificate",
    "expired",
    "log",
    "backup",
    "restore",
    "database",
    "connection",
    "timeout",
    "cluster",
    "node",
    "heartbeat",
    "nic",
    "driver",
    "patch",
    "vulnerability",
    "clock",
    "sync",
    "fiber",
    "redundant",
    "inspection",
]


_HAN = "".join(
    dict.fromkeys(
        "".join(_CHINESE) + "的设备网络接口管理系统故障处理检查状态异常正常版本安装部署监控"
        "信号电压电流测试模式参数命令端口协议地址通道线路机柜"
    )
)
_SYLLABLES = [
    "ba",
    "ce",
    "di",
    "fo",
    "gu",
    "ha",
    "ke",
    "li",
    "mo",
    "nu",
    "pa",
    "re",
    "si",
    "to",
    "vu",
    "wa",
    "xe",
    "yo",
    "za",
    "qu",
    "ter",
    "lin",
    "mon",
    "sta",
    "por",
    "ack",
]


def _vocabulary(rng: random.Random) -> tuple[list[str], list[str]]:
    """The real words first (the most frequent), then made-up ones: a manual's long tail of terms."""
    chinese = list(_CHINESE) + [
        "".join(rng.choice(_HAN) for _ in range(rng.randint(2, 3))) for _ in range(1500)
    ]
    english = list(_ENGLISH) + [
        "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))) for _ in range(1500)
    ]
    return chinese, english


def _zipf(rng: random.Random, words: list[str]) -> str:
    # Word frequencies in text fall off as 1/rank (Zipf): a few words are common, most are rare.
    weights = _ZIPF.get(len(words))
    if weights is None:
        weights = _ZIPF[len(words)] = list(
            itertools.accumulate(1 / rank for rank in range(1, len(words) + 1))
        )
    return rng.choices(words, cum_weights=weights)[0]


_ZIPF: dict[int, list[float]] = {}

# Which words an article uses. Drawing every word of every article from one Zipf distribution
# over the whole vocabulary (as this generator first did) put the ten commonest words into 90-99 %
# of the articles: at ~120 words an article, a word with a 1-in-8 share of all text is in nearly
# all of them. A manual is not like that: an article is about one thing, and its words recur in
# it (a word that occurs once in an article tends to occur again). So each article first picks
# its own words - the word of rank r with probability 0.5 / r^0.6: the commonest in about half the
# articles, the 10th in one in eight, the 200th in 2 %, the long tail in well under 1 % - and then
# writes with them, the more common ones more often.
_TOP_SHARE = 0.5
_SHARE_SLOPE = 0.6
_IN_ARTICLE_SLOPE = 0.5


@dataclass(frozen=True)
class _Words:
    """One language's words of one article, with cumulative weights for rng.choices."""

    words: list[str]
    cum_weights: list[float]


def _article_words(rng: random.Random, vocabulary: tuple[list[str], list[str]]) -> list[_Words]:
    chosen = []
    for words in vocabulary:
        ranks = [
            rank
            for rank in range(1, len(words) + 1)
            if rng.random() < _TOP_SHARE / rank**_SHARE_SLOPE
        ] or [1]
        chosen.append(
            _Words(
                [words[rank - 1] for rank in ranks],
                list(itertools.accumulate(1 / rank**_IN_ARTICLE_SLOPE for rank in ranks)),
            )
        )
    return chosen


def _article_text(rng: random.Random, runs: int, words: list[_Words]) -> str:
    chinese, english = words

    def word(of: _Words) -> str:
        return rng.choices(of.words, cum_weights=of.cum_weights)[0]

    parts = []
    for _ in range(runs):
        if rng.random() < 0.6:  # Chinese without spaces, as it is written, in runs of 2-4 words
            parts.append("".join(word(chinese) for _ in range(rng.randint(2, 4))) + "，")
        else:
            parts.append(" ".join(word(english) for _ in range(rng.randint(2, 5))) + ". ")
    return "".join(parts)


def knowledge_queries(count: int = 200, seed: int = 11) -> list[str]:
    """What the centre types: a 2-character word, a longer Chinese phrase, an English word or two."""
    rng = random.Random(seed)
    chinese, english = _vocabulary(random.Random(7))
    makers = [
        lambda: _zipf(rng, chinese),
        lambda: _zipf(rng, chinese) + _zipf(rng, chinese),
        lambda: _zipf(rng, english),
        lambda: f"{_zipf(rng, english)} {_zipf(rng, english)}",
    ]
    return [rng.choice(makers)() for _ in range(count)]


async def seed_articles(database_url: str, *, count: int = 10_000, seed: int = 7) -> int:
    """Published articles straight through SQL (the API would spend minutes of the bench on 10,000 POSTs),
    with the search vector the store writes, from generated text that is the same on every run."""
    from services.intake.knowledge.rules import document

    vocabulary = _vocabulary(random.Random(seed))
    rng = random.Random(seed)
    now = datetime.now(UTC)
    conn = await asyncpg.connect(asyncpg_dsn(database_url), timeout=10)
    try:
        for start in range(0, count, 1000):
            batch = []
            for i in range(start, min(start + 1000, count)):
                words = _article_words(rng, vocabulary)
                title = _article_text(rng, rng.randint(1, 3), words).rstrip("，. ")
                body = _article_text(rng, rng.randint(20, 60), words)
                batch.append(
                    (
                        uuid.UUID(int=rng.getrandbits(128)),
                        title,
                        body,
                        E2E_CATEGORIES[i % 4],
                        document(title, body),
                        now - timedelta(minutes=i),
                    )
                )
            ids, titles, bodies, categories, searches, times = map(list, zip(*batch, strict=True))
            await conn.execute(
                """INSERT INTO intake.knowledge_articles (id, title, body, category, models, tags, status, search,
                                                          created_by, created_at, updated_at)
                   SELECT id, title, body, category, '{}', '{}', 'published', search::tsvector, 'bench', at, at
                   FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
                        AS a(id, title, body, category, search, at)""",
                ids,
                titles,
                bodies,
                categories,
                searches,
                times,
            )
        await conn.execute("ANALYZE intake.knowledge_articles")
    finally:
        await conn.close()
    return count
