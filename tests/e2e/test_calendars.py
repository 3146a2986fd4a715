"""Calendars over HTTP, as a service manager and a UI use them: a calendar with a lunch break and
a holiday, a "due by" across both, the holiday taken away and the due moving with it, every bad
input refused with nothing stored, and the built-ins readable but never writable (ES-7)."""

from __future__ import annotations

import asyncpg
import pytest

from shared.db import asyncpg_dsn
from tests.e2e.test_intake_master_data import problem
from tests.support.stack import ServiceStack

pytestmark = pytest.mark.e2e

MANAGER = ("service-manager", "escalation:admin")
UI = ("ops-board", "sla:read")
OFFICE = {
    "name": "acme-office",
    "timezone": "Asia/Shanghai",
    "ranges": {"mon-fri": [["08:30", "12:00"], ["13:00", "17:30"]]},
    # Thursday 1 October 2026: the customer's own day off.
    "holidays": ["2026-10-01"],
}


async def stored(stack: ServiceStack) -> list[tuple]:
    conn = await asyncpg.connect(asyncpg_dsn(stack.database_url))
    try:
        rows = await conn.fetch(
            "SELECT name, timezone, ranges::text, holidays, workdays, version"
            " FROM escalation.calendars ORDER BY name"
        )
    finally:
        await conn.close()
    return [tuple(r) for r in rows]


async def due(stack: ServiceStack, name: str, start: str, minutes: float, **extra) -> dict:
    async with stack.client("escalation", *UI) as ui:
        response = await ui.post(
            f"/v1/calendars/{name}/due", json={"start": start, "minutes": minutes} | extra
        )
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_due_time_skips_lunch_and_the_holiday_until_the_holiday_is_taken_away(
    stack: ServiceStack,
):
    async with stack.client("escalation", *MANAGER) as manager:
        created = await manager.post(
            "/v1/calendars", json=OFFICE, headers={"Idempotency-Key": "acme-office-1"}
        )
        assert created.status_code == 201, created.text
        assert created.json()["week"]["thu"] == ["08:30-12:00", "13:00-17:30"]

        # Wednesday 11:00 + 4 business hours: 1 h to lunch, then 13:00-17:30 (4.5 h) would end
        # at 16:00 the same day; + 6 h runs out of Wednesday (5.5 h), skips Thursday's holiday
        # and ends on Friday at 09:00.
        same_day = await due(stack, "acme-office", "2026-09-30T11:00:00+08:00", 240)
        assert same_day["due"] == "2026-09-30T16:00:00+08:00"
        across = await due(stack, "acme-office", "2026-09-30T11:00:00+08:00", 360)
        assert across["due"] == "2026-10-02T09:00:00+08:00"
        assert across["business_minutes"] == 360 and across["timezone"] == "Asia/Shanghai"
        # Paused over Friday morning (a part on back order): the clock waits until 12:00.
        paused = await due(
            stack,
            "acme-office",
            "2026-09-30T11:00:00+08:00",
            360,
            pauses=[["2026-10-02T08:00:00+08:00", "2026-10-02T12:00:00+08:00"]],
        )
        assert paused["due"] == "2026-10-02T13:30:00+08:00"
        assert paused["paused_minutes"] == 210

        taken_away = await manager.patch(
            "/v1/calendars/acme-office", json={"remove_holidays": ["2026-10-01"], "version": 1}
        )
        assert taken_away.status_code == 200, taken_away.text
        assert taken_away.json()["holidays"] == [] and taken_away.json()["version"] == 2

    moved = await due(stack, "acme-office", "2026-09-30T11:00:00+08:00", 360)
    assert moved["due"] == "2026-10-01T09:00:00+08:00"
    async with stack.client("escalation", *UI) as ui:
        read = (await ui.get("/v1/calendars/acme-office")).json()
    assert read["version"] == 2 and read["created_by"] == "service-manager"


BAD_CALENDARS = [
    ("an unknown time zone", {"timezone": "Mars/Olympus"}, "validation"),
    ("the server's local zone file", {"timezone": "localtime"}, "validation"),
    ("not a zone at all", {"timezone": "+08:00"}, "validation"),
    (
        "overlapping working ranges",
        {"ranges": {"mon-fri": ["08:30-17:30"], "wed": ["17:00-19:00"]}},
        "rule-violated",
    ),
    ("a range ending before it starts", {"ranges": {"mon": [["17:30", "08:30"]]}}, "rule-violated"),
    ("a week without working time", {"ranges": {"sat-sun": []}}, "rule-violated"),
    (
        "a holiday that is also a make-up day",
        {"holidays": ["2026-10-01"], "workdays": ["2026-10-01"]},
        "rule-violated",
    ),
    ("a span running backwards", {"ranges": {"fri-mon": ["08:30-17:30"]}}, "validation"),
    ("a weekday that is not one", {"ranges": {"monday": ["08:30-17:30"]}}, "validation"),
    ("a name that is not a slug", {"name": "Acme Office"}, "validation"),
]


@pytest.mark.parametrize(
    ("case", "change", "kind"), BAD_CALENDARS, ids=[c[0] for c in BAD_CALENDARS]
)
async def test_a_bad_calendar_is_refused_and_nothing_is_stored(
    stack: ServiceStack, case, change, kind
):
    before = await stored(stack)
    async with stack.client("escalation", *MANAGER) as manager:
        refused = await manager.post("/v1/calendars", json=OFFICE | {"name": "bad"} | change)
    body = problem(refused, 422, kind)
    assert body["detail"] if kind == "rule-violated" else body["errors"], body
    assert await stored(stack) == before


BAD_CHANGES = [
    ("an unknown time zone", {"timezone": "Europe/Atlantis"}, "validation"),
    (
        "overlapping working ranges",
        {"ranges": {"mon": ["08:00-12:00", "11:00-13:00"]}},
        "rule-violated",
    ),
    ("a holiday that is also a make-up day", {"workdays": ["2026-10-01"]}, "rule-violated"),
    ("a holiday added as a make-up day", {"add_workdays": ["2026-10-01"]}, "rule-violated"),
    (
        "a date both added and removed",
        {"add_holidays": ["2026-10-02"], "remove_holidays": ["2026-10-02"]},
        "rule-violated",
    ),
    ("a null for a list", {"holidays": None}, "validation"),
]


@pytest.mark.parametrize(("case", "change", "kind"), BAD_CHANGES, ids=[c[0] for c in BAD_CHANGES])
async def test_a_bad_change_is_refused_and_the_calendar_stays_as_it_was(
    stack: ServiceStack, case, change, kind
):
    async with stack.client("escalation", *MANAGER) as manager:
        await manager.post("/v1/calendars", json=OFFICE | {"name": "kept"})
        before = await stored(stack)
        refused = await manager.patch("/v1/calendars/kept", json=change)
    problem(refused, 422, kind)
    assert await stored(stack) == before


START = "2026-09-30T11:00:00+08:00"
BAD_PREVIEWS = [
    ("negative minutes", {"start": START, "minutes": -1}, "validation", "minutes"),
    ("more than a year", {"start": START, "minutes": 525_601}, "validation", "minutes"),
    ("minutes as text", {"start": START, "minutes": "60"}, "validation", "minutes"),
    ("a naive start", {"start": "2026-09-30T11:00:00", "minutes": 60}, "validation", "start"),
    (
        "a naive pause",
        {"start": START, "minutes": 60, "pauses": [["2026-10-01T09:00:00", START]]},
        "validation",
        "pauses.0.0",
    ),
    (
        "a pause ending before it starts",
        {
            "start": START,
            "minutes": 60,
            "pauses": [["2026-10-02T12:00:00+08:00", "2026-10-02T08:00:00+08:00"]],
        },
        "rule-violated",
        "pauses[0]",
    ),
    (
        "a start in the year 3000",
        {"start": "3000-01-01T00:00:00Z", "minutes": 60},
        "rule-violated",
        "start",
    ),
]


@pytest.mark.parametrize(
    ("case", "body", "kind", "field"), BAD_PREVIEWS, ids=[c[0] for c in BAD_PREVIEWS]
)
async def test_a_bad_due_preview_is_refused_naming_the_field(
    stack: ServiceStack, case, body, kind, field
):
    async with stack.client("escalation", *UI) as ui:
        refused = await ui.post("/v1/calendars/cn-5x8/due", json=body)
    answer = problem(refused, 422, kind)
    fields = [e["field"] for e in answer["errors"]] if kind == "validation" else [answer["field"]]
    assert any(f.endswith(field) for f in fields), answer


async def test_a_calendar_open_an_hour_a_week_cannot_promise_a_year(stack: ServiceStack):
    async with stack.client("escalation", *MANAGER) as manager:
        made = await manager.post(
            "/v1/calendars",
            json={"name": "thin", "timezone": "UTC", "ranges": {"mon": ["09:00-10:00"]}},
        )
        assert made.status_code == 201, made.text
        refused = await manager.post(
            "/v1/calendars/thin/due", json={"start": START, "minutes": 525_600}
        )
    problem(refused, 422, "rule-violated")


async def test_built_ins_are_readable_and_usable_but_not_writable(stack: ServiceStack):
    async with stack.client("escalation", *UI) as ui:
        china = (await ui.get("/v1/calendars/cn-5x8")).json()
        listed = (await ui.get("/v1/calendars", params={"limit": 200})).json()
        # Friday 16:30 + 2 working hours on cn-5x8: one on Friday, one on Monday morning.
        monday = await due(stack, "cn-5x8", "2026-11-27T16:30:00+08:00", 120)
        around_the_clock = await due(stack, "24x7", "2026-11-27T16:30:00+08:00", 120)
    assert china["built_in"] and china["ranges"] == {"mon-fri": ["08:30-17:30"]}
    assert "2026-10-01" in china["holidays"] and "2026-10-10" in china["workdays"]
    assert {"24x7", "cn-5x8"} <= {c["name"] for c in listed["items"]}
    assert monday["due"] == "2026-11-30T09:30:00+08:00"
    assert around_the_clock["due"] == "2026-11-27T18:30:00+08:00"

    before = await stored(stack)
    async with stack.client("escalation", *MANAGER) as manager:
        for name in ("cn-5x8", "24x7"):
            taken = await manager.post("/v1/calendars", json=OFFICE | {"name": name})
            problem(taken, 409, "conflict")
        changed = await manager.patch("/v1/calendars/cn-5x8", json={"add_holidays": ["2026-11-30"]})
        problem(changed, 409, "conflict")
    async with stack.client("escalation", *UI) as ui:
        forbidden = await ui.patch("/v1/calendars/acme-office", json={"holidays": []})
    problem(forbidden, 403, "insufficient-scope")
    assert await stored(stack) == before


async def test_an_unknown_calendar_is_not_found(stack: ServiceStack):
    async with stack.client("escalation", *MANAGER) as manager:
        problem(await manager.get("/v1/calendars/nowhere"), 404, "not-found")
        problem(
            await manager.post("/v1/calendars/nowhere/due", json={"start": START, "minutes": 1}),
            404,
            "not-found",
        )
        problem(
            await manager.patch("/v1/calendars/nowhere", json={"holidays": []}), 404, "not-found"
        )
