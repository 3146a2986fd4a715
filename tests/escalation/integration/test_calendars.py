"""Named calendars on real PostgreSQL: the store, the handlers in a unit of work, the resolver
other slices count business time with, and the routes as a service manager calls them."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from services.escalation.calendars import api, handlers, store
from services.escalation.calendars.commands import ChangeCalendar, DefineCalendar, PreviewDue
from services.escalation.calendars.rules import (
    Amendment,
    BuiltInCalendar,
    CalendarChanged,
    CalendarExists,
    CalendarNotFound,
)
from shared.auth import issue_dev_token
from shared.businesstime import InvalidCalendar, UnknownCalendar, calendar
from shared.clock import FrozenClock
from shared.db import UnitOfWork, create_pool
from shared.http.problems import install_problem_handlers
from shared.metrics import Metrics
from shared.migrations import migrate
from shared.service import Runtime
from shared.settings import Settings

NOW = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")
NATIONAL_DAY = date(2026, 10, 1)
LUNCH = {"mon-fri": [["08:30", "12:00"], ["13:00", "17:30"]]}


@pytest.fixture(scope="module")
async def settings(database_url: str) -> Settings:
    # Alembic runs its own event loop: give it a thread of its own.
    await asyncio.to_thread(migrate, Settings(database_url=database_url), ("escalation",))
    return Settings(
        service="escalation", database_url=database_url, jwt_secret=secrets.token_urlsafe(48)
    )


@pytest.fixture
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    created = await create_pool(settings, max_size=3)
    yield created
    await created.close()


@pytest.fixture
async def uow(pool, settings) -> AsyncIterator[UnitOfWork]:
    """A unit of work the test never commits: the database is left as it was found."""
    async with UnitOfWork(pool, settings, clock=FrozenClock(NOW)) as unit:
        yield unit


def define(name: str = "acme-5x8", **fields) -> DefineCalendar:
    return DefineCalendar(
        **{"name": name, "timezone": "Asia/Shanghai", "ranges": LUNCH, "by": "manager"} | fields
    )


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=SHANGHAI)


# --- store and handlers ---------------------------------------------------------------------


async def test_a_defined_calendar_reads_back_as_it_was_written(uow):
    created, events = await handlers.define_calendar(
        define(holidays=[NATIONAL_DAY], workdays=[date(2026, 10, 10)]), uow
    )
    assert events == []
    read = await handlers.get_calendar(uow, "acme-5x8")
    assert read == created
    assert read["ranges"] == {"mon-fri": ["08:30-12:00", "13:00-17:30"]}
    assert read["week"]["wed"] == ["08:30-12:00", "13:00-17:30"] and read["week"]["sat"] == []
    assert read["holidays"] == [NATIONAL_DAY] and read["workdays"] == [date(2026, 10, 10)]
    assert (read["version"], read["created_by"], read["created_at"]) == (1, "manager", NOW)
    assert read["minutes_per_week"] == 5 * 480


async def test_a_taken_name_or_a_built_in_one_is_refused_and_the_first_stays(uow):
    await handlers.define_calendar(define(), uow)
    with pytest.raises(CalendarExists):
        await handlers.define_calendar(define(timezone="Europe/Berlin"), uow)
    with pytest.raises(BuiltInCalendar):
        await handlers.define_calendar(define(name="cn-5x8"), uow)
    assert (await handlers.get_calendar(uow, "acme-5x8"))["timezone"] == "Asia/Shanghai"
    assert await uow.conn.fetchval("SELECT count(*) FROM escalation.calendars") == 1


async def test_a_change_bumps_the_version_and_tells_the_clocks_once(uow, monkeypatch):
    told: list[str] = []

    async def recompute(unit, name):
        told.append(name)

    monkeypatch.setattr(handlers, "on_calendar_changed", recompute)
    await handlers.define_calendar(define(holidays=[NATIONAL_DAY]), uow)
    change = ChangeCalendar("acme-5x8", Amendment(remove_holidays=[NATIONAL_DAY]))
    changed = await handlers.change_calendar(change, uow)
    assert (changed["version"], changed["holidays"], changed["updated_at"]) == (2, [], NOW)
    # The same change again changes nothing: same version, no recomputation.
    again = await handlers.change_calendar(change, uow)
    assert again["version"] == 2
    assert told == ["acme-5x8"]


async def test_a_change_against_an_old_version_is_refused(uow):
    await handlers.define_calendar(define(), uow)
    await handlers.change_calendar(
        ChangeCalendar("acme-5x8", Amendment(timezone="Asia/Tokyo"), expected_version=1), uow
    )
    with pytest.raises(CalendarChanged) as refused:
        await handlers.change_calendar(
            ChangeCalendar("acme-5x8", Amendment(timezone="Asia/Seoul"), expected_version=1), uow
        )
    assert refused.value.context["current_version"] == 2
    assert (await handlers.get_calendar(uow, "acme-5x8"))["timezone"] == "Asia/Tokyo"


async def test_built_ins_are_read_only_and_unknown_calendars_are_not_found(uow):
    with pytest.raises(BuiltInCalendar):
        await handlers.change_calendar(ChangeCalendar("24x7", Amendment(holidays=[])), uow)
    with pytest.raises(CalendarNotFound):
        await handlers.change_calendar(ChangeCalendar("nowhere", Amendment(holidays=[])), uow)
    with pytest.raises(CalendarNotFound):
        await handlers.get_calendar(uow, "nowhere")


async def test_an_invalid_change_leaves_the_calendar_as_it_was(uow):
    await handlers.define_calendar(define(workdays=[date(2026, 10, 10)]), uow)
    with pytest.raises(InvalidCalendar):
        await handlers.change_calendar(
            ChangeCalendar("acme-5x8", Amendment(add_holidays=[date(2026, 10, 10)])), uow
        )
    read = await handlers.get_calendar(uow, "acme-5x8")
    assert (read["version"], read["holidays"]) == (1, [])


async def test_the_built_in_china_calendar_shows_its_published_holidays(uow):
    read = await handlers.get_calendar(uow, "cn-5x8")
    assert read["built_in"] and read["ranges"] == {"mon-fri": ["08:30-17:30"]}
    assert NATIONAL_DAY in read["holidays"]
    assert date(2026, 9, 20) in read["workdays"]  # a Sunday worked before the National Day


async def test_the_list_is_by_name_with_the_built_ins_among_the_defined(uow):
    for name in ("zz-night", "acme-5x8", "3-shift"):
        await handlers.define_calendar(define(name=name), uow)
    first = await handlers.list_calendars(uow, after=None, limit=3)
    assert [c["name"] for c in first] == ["24x7", "3-shift", "acme-5x8", "cn-5x8"]
    rest = await handlers.list_calendars(uow, after="acme-5x8", limit=3)
    assert [c["name"] for c in rest] == ["cn-5x8", "zz-night"]


async def test_a_due_preview_skips_lunch_and_holidays_on_a_defined_calendar(uow):
    await handlers.define_calendar(define(holidays=[NATIONAL_DAY, date(2026, 10, 2)]), uow)
    # Wednesday 30 September 16:30 + 3 h: 1 h left that day, then Monday 5 October.
    due = await handlers.preview_due(
        PreviewDue("acme-5x8", datetime(2026, 9, 30, 16, 30, tzinfo=SHANGHAI), 180), uow
    )
    assert due["due"] == local(5, 10, 30)
    assert due["business_minutes"] == 180
    built_in = await handlers.preview_due(PreviewDue("24x7", local(5, 10), 90), uow)
    assert built_in["due"] == local(5, 11, 30)
    with pytest.raises(CalendarNotFound):
        await handlers.preview_due(PreviewDue("nowhere", local(5, 10), 90), uow)


# --- the resolver ---------------------------------------------------------------------------


async def test_the_resolver_knows_the_built_ins_and_every_stored_calendar(uow):
    await handlers.define_calendar(define(holidays=[NATIONAL_DAY]), uow)
    resolve = await store.resolver(uow.conn)
    assert resolve("cn-5x8") is calendar("cn-5x8")
    acme = resolve("acme-5x8")
    assert acme.name == "acme-5x8" and acme.holidays == {NATIONAL_DAY}
    with pytest.raises(UnknownCalendar):
        resolve("nowhere")
    # The same version is the same object (its memo of days shared); a change is another.
    assert (await store.resolver(uow.conn, ["acme-5x8"]))("acme-5x8") is acme
    await handlers.change_calendar(ChangeCalendar("acme-5x8", Amendment(holidays=[])), uow)
    changed = (await store.resolver(uow.conn, ["acme-5x8"]))("acme-5x8")
    assert changed is not acme and changed.holidays == frozenset()


async def test_the_resolver_reads_only_the_names_asked_for(uow):
    await handlers.define_calendar(define(), uow)
    resolve = await store.resolver(uow.conn, ["24x7"])
    with pytest.raises(UnknownCalendar):
        resolve("acme-5x8")


async def test_a_version_rolled_back_and_written_again_is_not_served_from_the_cache(pool, settings):
    for timezone in ("Asia/Shanghai", "Europe/Berlin"):
        async with UnitOfWork(pool, settings, clock=FrozenClock(NOW)) as unit:
            await handlers.define_calendar(define(name="rolled", timezone=timezone), unit)
            resolved = (await store.resolver(unit.conn))("rolled")
            assert resolved.timezone.key == timezone  # never committed: rolled back on leaving


# --- the routes -----------------------------------------------------------------------------

Client = Callable[..., httpx.AsyncClient]
PROBLEM = "application/problem+json"


@pytest.fixture
async def client(pool, settings) -> AsyncIterator[Client]:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(api.router)
    runtime = Runtime(settings=settings, metrics=Metrics(), pool=pool, clock=FrozenClock(NOW))
    app.state.runtime = runtime
    opened: list[httpx.AsyncClient] = []

    def for_(*scopes: str) -> httpx.AsyncClient:
        token = issue_dev_token(settings, "manager", list(scopes or ("escalation:admin",)))
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://test",
            headers={"Authorization": f"Bearer {token}"},
        )
        opened.append(http)
        return http

    yield for_
    for http in opened:
        await http.aclose()
    for resource in runtime.resources.values():
        if hasattr(resource, "close"):
            await resource.close()
    async with pool.acquire() as conn:  # the routes commit: leave the next test a clean table
        await conn.execute("DELETE FROM escalation.calendars")
        await conn.execute("DELETE FROM escalation.idempotency_keys")


async def test_a_calendar_is_defined_once_under_an_idempotency_key(client):
    manager = client()
    body = {"name": "acme-5x8", "timezone": "Asia/Shanghai", "ranges": LUNCH}
    first = await manager.post("/v1/calendars", json=body, headers={"Idempotency-Key": "cal-1"})
    assert first.status_code == 201, first.text
    assert first.headers["Location"] == "/v1/calendars/acme-5x8"
    again = await manager.post("/v1/calendars", json=body, headers={"Idempotency-Key": "cal-1"})
    assert (again.status_code, again.headers["Idempotent-Replayed"]) == (201, "true")
    taken = await manager.post("/v1/calendars", json=body)
    assert taken.status_code == 409 and taken.headers["content-type"] == PROBLEM


async def test_readers_read_and_preview_but_do_not_write(client):
    reader = client("sla:read")
    assert (await reader.get("/v1/calendars/cn-5x8")).status_code == 200
    due = await reader.post(
        "/v1/calendars/cn-5x8/due", json={"start": "2026-09-30T17:00:00+08:00", "minutes": 60}
    )
    assert due.status_code == 200, due.text
    assert due.json()["due"] == "2026-10-08T09:00:00+08:00"  # after the National Day week
    written = await reader.post(
        "/v1/calendars", json={"name": "mine", "timezone": "UTC", "ranges": LUNCH}
    )
    assert written.status_code == 403


async def test_a_patch_through_the_route_changes_only_what_was_sent(client):
    manager = client()
    body = {"name": "acme-5x8", "timezone": "Asia/Shanghai", "ranges": LUNCH}
    assert (await manager.post("/v1/calendars", json=body)).status_code == 201
    patched = await manager.patch(
        "/v1/calendars/acme-5x8", json={"add_holidays": ["2026-10-01"], "version": 1}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["holidays"] == ["2026-10-01"] and patched.json()["version"] == 2
    stale = await manager.patch(
        "/v1/calendars/acme-5x8", json={"add_holidays": ["2026-10-02"], "version": 1}
    )
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    built_in = await manager.patch("/v1/calendars/24x7", json={"holidays": ["2026-10-01"]})
    assert built_in.status_code == 409
    null = await manager.patch("/v1/calendars/acme-5x8", json={"timezone": None})
    assert null.status_code == 422


async def test_the_list_pages_by_name(client):
    manager = client()
    for name in ("a", "b", "c"):
        body = {"name": name, "timezone": "UTC", "ranges": {"mon-sun": ["00:00-24:00"]}}
        assert (await manager.post("/v1/calendars", json=body)).status_code == 201
    names, cursor = [], None
    while True:
        page = (
            await manager.get(
                "/v1/calendars", params={"limit": 2} | ({"cursor": cursor} if cursor else {})
            )
        ).json()
        names += [c["name"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert names == ["24x7", "a", "b", "c", "cn-5x8"]
