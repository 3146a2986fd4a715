"""Calendars: define, change, read, and preview a due time. Glue only: load (store), decide
(rules), save (store); they run inside a unit of work and never commit."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.escalation.calendars import rules, store
from services.escalation.calendars.commands import ChangeCalendar, DefineCalendar, PreviewDue
from services.escalation.calendars.rules import (
    BuiltInCalendar,
    CalendarChanged,
    CalendarExists,
    CalendarNotFound,
)
from services.escalation.calendars.store import StoredCalendar
from services.escalation.clocks import handlers as clocks
from shared.businesstime import CALENDAR_NAMES, Calendar, UnknownCalendar, calendar
from shared.commands import Created
from shared.db import UnitOfWork


def view(stored: StoredCalendar) -> dict[str, Any]:
    definition = stored.definition
    return {
        "name": stored.name,
        "built_in": False,
        "timezone": definition.timezone,
        "ranges": definition.ranges_as_written(),
        "week": rules.expand_week(definition.week),
        "minutes_per_week": rules.minutes_per_week(definition.week),
        "holidays": sorted(definition.holidays),
        "workdays": sorted(definition.workdays),
        "version": stored.version,
        "created_at": stored.created_at,
        "updated_at": stored.updated_at,
        "created_by": stored.created_by,
    }


def built_in_view(cal: Calendar, today: date) -> dict[str, Any]:
    """A built-in as a stored one reads; a published schedule (cn-5x8: China's) shown for this
    year and the next, the years a "due by" falls in."""
    holidays, workdays = set(cal.holidays), set(cal.makeup_days)
    if cal.published is not None:
        for year in (today.year, today.year + 1):
            published = cal.published(year)
            holidays |= published.holidays
            workdays |= published.makeup_days
    return {
        "name": cal.name,
        "built_in": True,
        "timezone": cal.timezone.key,
        "ranges": rules.describe_week(cal.week),
        "week": rules.expand_week(cal.week),
        "minutes_per_week": rules.minutes_per_week(cal.week),
        "holidays": sorted(holidays),
        "workdays": sorted(workdays),
        "version": 1,
        "created_at": None,
        "updated_at": None,
        "created_by": None,
    }


async def define_calendar(command: DefineCalendar, uow: UnitOfWork) -> Created:
    name = rules.check_name(command.name)
    definition = rules.define(command.timezone, command.ranges, command.holidays, command.workdays)
    stored = await store.insert(uow.conn, name, definition, uow.now, command.by)
    if stored is None:
        raise CalendarExists(name)
    # No event: no other service reads calendars (events.md has none for them).
    return view(stored), []


async def change_calendar(command: ChangeCalendar, uow: UnitOfWork) -> dict[str, Any]:
    if rules.is_built_in(command.name):
        raise BuiltInCalendar(command.name)
    current = await store.lock(uow.conn, command.name)
    if current is None:
        raise CalendarNotFound(command.name)
    if command.expected_version is not None and command.expected_version != current.version:
        raise CalendarChanged(command.name, command.expected_version, current.version)
    amended = rules.amend(current.definition, command.change)
    if amended == current.definition:
        return view(current)  # a repeated PATCH changes nothing, not even the version
    saved = await store.update(uow.conn, command.name, amended, uow.now)
    if saved is None:  # the row is locked above: unreachable short of a deleted row
        raise CalendarNotFound(command.name)
    await on_calendar_changed(uow, command.name)
    return view(saved)


async def on_calendar_changed(uow: UnitOfWork, name: str) -> None:
    """ES-7: the clocks on this calendar get their due times again, in the change's own
    transaction: a refused recomputation rolls the change back with it."""
    await clocks.recompute_calendar(uow, name)


async def get_calendar(uow: UnitOfWork, name: str) -> dict[str, Any]:
    if name in CALENDAR_NAMES:
        return built_in_view(calendar(name), uow.now.date())
    stored = await store.get(uow.conn, name)
    if stored is None:
        raise CalendarNotFound(name)
    return view(stored)


async def list_calendars(uow: UnitOfWork, *, after: str | None, limit: int) -> list[dict[str, Any]]:
    """By name, the built-ins among the stored ones; `limit + 1` items when more follow."""
    stored = [view(s) for s in await store.page(uow.conn, after=after, limit=limit)]
    built_in = [
        built_in_view(calendar(n), uow.now.date())
        for n in CALENDAR_NAMES
        if after is None or n > after
    ]
    return sorted(stored + built_in, key=lambda c: c["name"])[: limit + 1]


async def preview_due(command: PreviewDue, uow: UnitOfWork) -> dict[str, Any]:
    resolve = await store.resolver(uow.conn, [command.name])
    try:
        cal = resolve(command.name)
    except UnknownCalendar:
        raise CalendarNotFound(command.name) from None
    due = rules.preview(cal, command.start, command.minutes, command.pauses)
    return {
        "calendar": command.name,
        "timezone": cal.timezone.key,
        "start": command.start,
        "minutes": command.minutes,
        "due": due.due,
        "business_minutes": due.business_minutes,
        "paused_minutes": due.paused_minutes,
    }
