"""Every statement on escalation.calendars; rows <-> `StoredCalendar`; the calendar resolver.

A stored row is checked again on the way out (`rules.define`), so a calendar always reaches the
arithmetic as a valid `Calendar`, whatever wrote the row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from asyncpg import Connection

from services.escalation.calendars import rules
from services.escalation.calendars.rules import Definition
from shared.businesstime import CALENDAR_NAMES, Calendar, calendar
from shared.sql import Filters

COLUMNS = "name, timezone, ranges, holidays, workdays, version, created_at, updated_at, created_by"
# DO NOTHING, not an exception: a taken name is an answer (409), and the batch's other
# creates go on in the same transaction.
_INSERT = f"""INSERT INTO escalation.calendars ({COLUMNS})
              VALUES ($1, $2, $3, $4, $5, 1, $6, $6, $7)
              ON CONFLICT (name) DO NOTHING RETURNING {COLUMNS}"""
_GET = f"SELECT {COLUMNS} FROM escalation.calendars WHERE name = $1"
_LOCK = f"{_GET} FOR UPDATE"
_UPDATE = f"""UPDATE escalation.calendars
              SET timezone = $2, ranges = $3, holidays = $4, workdays = $5,
                  version = version + 1, updated_at = $6
              WHERE name = $1 RETURNING {COLUMNS}"""
_ALL = f"SELECT {COLUMNS} FROM escalation.calendars"
_NAMED = f"SELECT {COLUMNS} FROM escalation.calendars WHERE name = ANY($1::text[])"


@dataclass(frozen=True, slots=True)
class StoredCalendar:
    name: str
    definition: Definition
    version: int
    created_at: datetime
    updated_at: datetime
    created_by: str


def _stored(row: asyncpg.Record) -> StoredCalendar:
    return StoredCalendar(
        name=row["name"],
        definition=rules.define(row["timezone"], row["ranges"], row["holidays"], row["workdays"]),
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        created_by=row["created_by"],
    )


async def insert(
    conn: Connection, name: str, definition: Definition, at: datetime, by: str
) -> StoredCalendar | None:
    """The new calendar, or None when the name is taken."""
    row = await conn.fetchrow(
        _INSERT,
        name,
        definition.timezone,
        definition.ranges_as_written(),
        sorted(definition.holidays),
        sorted(definition.workdays),
        at,
        by,
    )
    return None if row is None else _stored(row)


async def get(conn: Connection, name: str) -> StoredCalendar | None:
    row = await conn.fetchrow(_GET, name)
    return None if row is None else _stored(row)


async def lock(conn: Connection, name: str) -> StoredCalendar | None:
    row = await conn.fetchrow(_LOCK, name)
    return None if row is None else _stored(row)


async def update(
    conn: Connection, name: str, definition: Definition, at: datetime
) -> StoredCalendar | None:
    row = await conn.fetchrow(
        _UPDATE,
        name,
        definition.timezone,
        definition.ranges_as_written(),
        sorted(definition.holidays),
        sorted(definition.workdays),
        at,
    )
    return None if row is None else _stored(row)


async def page(conn: Connection, *, after: str | None, limit: int) -> list[StoredCalendar]:
    """By name; one row more than `limit`, so the caller knows whether another page exists."""
    # Byte order ("C"), not the database's locale: the API merges the built-ins in by Python's
    # string order, and a cursor must mean the same position to both.
    filters = Filters().add_if(after, 'name COLLATE "C" > {}')
    sql = f'{_ALL} {filters.where()} ORDER BY name COLLATE "C" LIMIT {filters.param(limit + 1)}'
    return [_stored(row) for row in await conn.fetch(sql, *filters.args)]


# --- the resolver ---------------------------------------------------------------------------

_CACHE_LIMIT = 512


class _Calendars:
    """`Calendar` objects by (name, version), shared by every unit of work of the process, so
    their memo of days is built once, not per event.

    Each entry keeps its definition and is used only while the row still says the same: a
    version written in a transaction that rolled back can be written again with other content
    (and tests write the same name at version 1 over and over).
    """

    def __init__(self, limit: int = _CACHE_LIMIT) -> None:
        self.limit = limit
        self._known: dict[tuple[str, int], tuple[Definition, Calendar]] = {}

    def of(self, stored: StoredCalendar) -> Calendar:
        key = (stored.name, stored.version)
        known = self._known.get(key)
        if known is not None and known[0] == stored.definition:
            return known[1]
        if len(self._known) >= self.limit:
            self._known.pop(next(iter(self._known)))  # the oldest: calendars change rarely
        built = rules.build(stored.name, stored.definition)
        self._known[key] = (stored.definition, built)
        return built


_calendars = _Calendars()


async def resolver(
    conn: Connection, names: Iterable[str] | None = None
) -> Callable[[str], Calendar]:
    """A name -> `Calendar` lookup of the built-ins and the stored calendars, read now.

    Give `names` to read only those (a clock's replay needs one or two). An unknown name raises
    `shared.businesstime.UnknownCalendar`: falling back to a built-in is the caller's decision.
    """
    if names is None:
        rows = await conn.fetch(_ALL)
    else:
        wanted = sorted({n for n in names if n not in CALENDAR_NAMES})
        rows = await conn.fetch(_NAMED, wanted) if wanted else []
    stored = {row["name"]: _calendars.of(_stored(row)) for row in rows}

    def resolve(name: str) -> Calendar:
        if name in CALENDAR_NAMES:
            return calendar(name)
        found = stored.get(name)
        return found if found is not None else calendar(name)  # raises UnknownCalendar

    return resolve
