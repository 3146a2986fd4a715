"""Every SQL statement about tickets, as constants; rows become dicts for answers and
`Ticket`s for the lifecycle."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
from asyncpg import Connection

from services.intake.assets import store as assets_store
from services.intake.assets.store import AmbiguousSerial, Asset, UnknownSerial
from services.intake.contracts import store as contracts_store
from services.intake.contracts.rules import Contract
from services.intake.tables import OPEN_ALARM
from services.intake.tickets.lifecycle import Status, Ticket
from shared.sql import Filters

T = TypeVar("T")

COLUMNS = (
    "id, number, customer_id, summary, description, channel, category, impact, priority, "
    "status, region, created_at, updated_at"
)

# Ticket entry (IN-1, IN-10): when it was reported, about what, and what it is entitled to.
ENTRY_COLUMNS = (
    "reported_at, contact_id, site_id, asset_id, asset_serial, asset_manufacturer, asset_model, "
    "contract_id, coverage, calendar, in_warranty, chargeable, alarm_source, alarm_code, "
    "occurrences, last_occurred_at"
)
# The ticket's life after creation (IN-4).
LIFE_COLUMNS = "held_from, resolved_at, closed_at, cancelled_at"
ANSWER_COLUMNS = f"{COLUMNS}, {ENTRY_COLUMNS}, {LIFE_COLUMNS}"

_GET = f"SELECT {ANSWER_COLUMNS} FROM intake.tickets WHERE id = $1"
_LIST = f"SELECT {ANSWER_COLUMNS} FROM intake.tickets"
_LOCK = "SELECT id, status, held_from, resolved_at FROM intake.tickets WHERE id = $1 FOR UPDATE"


async def get(conn: Connection, ticket_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_GET, ticket_id)
    return dict(row) if row else None


async def page(
    conn: Connection,
    *,
    after: tuple[datetime, UUID] | None,
    limit: int,
    status: str | None,
    customer_id: UUID | None,
) -> list[dict[str, Any]]:
    """Oldest first, `limit + 1` rows so the caller can tell whether more follow."""
    filters = Filters()
    if after is not None:
        filters.add("(created_at, id) > ({}, {})", *after)
    filters.add_if(status, "status = {}").add_if(customer_id, "customer_id = {}")
    where = filters.where()
    records = await conn.fetch(
        f"{_LIST} {where} ORDER BY created_at, id LIMIT {filters.param(limit + 1)}", *filters.args
    )
    return [dict(r) for r in records]


async def lock(conn: Connection, ticket_id: UUID) -> Ticket | None:
    row = await conn.fetchrow(_LOCK, ticket_id)
    if row is None:
        return None
    return Ticket(
        id=row["id"],
        status=Status(row["status"]),
        held_from=None if row["held_from"] is None else Status(row["held_from"]),
        resolved_at=row["resolved_at"],
    )


# --- ticket entry: the lookups a batch of reports makes, and the one write that records them ---

_CONTRACT_AS_C = ", ".join(
    f"c.{c.strip()} AS c_{c.strip()}" for c in contracts_store.COLUMNS.split(",")
)
_ASSET = ", ".join(f"a.{c.strip()}" for c in assets_store.COLUMNS.split(","))

# Every serial of a batch in one round trip, with the asset's contract and where it stands.
# Serials are unique per manufacturer only: without the maker, a serial may match several.
_BY_SERIALS = f"""
SELECT u.ord, {_ASSET}, {_CONTRACT_AS_C}, s.timezone AS site_timezone,
       coalesce(s.region, cu.region) AS region
FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(serial, maker, ord)
JOIN intake.assets a ON a.serial = u.serial AND (u.maker IS NULL OR a.manufacturer = u.maker)
JOIN intake.contracts c ON c.id = a.contract_id
JOIN intake.sites s ON s.id = a.site_id
JOIN intake.customers cu ON cu.id = a.customer_id
ORDER BY u.ord, a.manufacturer"""
_CUSTOMERS = f"""
SELECT cu.id AS customer_id, cu.region AS customer_region, {_CONTRACT_AS_C}
FROM intake.customers cu LEFT JOIN intake.contracts c ON c.customer_id = cu.id
WHERE cu.id = ANY($1::uuid[])"""
_SITES = "SELECT id, customer_id, timezone, region FROM intake.sites WHERE id = ANY($1::uuid[])"
_CONTACTS = "SELECT id, customer_id FROM intake.contacts WHERE id = ANY($1::uuid[])"
# DS-3: whom the engineer calls first, for each new ticket: its own contact, else its
# customer's primary duty contact (IN-11). Each branch finds its row by an index.
_CONTACTS_TO_CALL = """
SELECT u.ticket_id, c.name, c.phone
FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS u(ticket_id, contact_id, customer_id)
CROSS JOIN LATERAL (
    SELECT name, phone FROM intake.contacts WHERE id = u.contact_id
    UNION ALL
    SELECT name, phone FROM intake.contacts
    WHERE u.contact_id IS NULL AND customer_id = u.customer_id AND role = 'primary'
    LIMIT 1
) c"""

# Repeats of one alarm wait for each other here, in one order for every transaction (the
# caller sorts the ids), so two group commits never deadlock over the same alarms.
_LOCK_ALARMS = "SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) AS k"
_FOLD = f"""
WITH u AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::timestamptz[])
             AS u(asset_id, source, code, n, at)
), hit AS (
    SELECT t.id, u.n, u.at FROM intake.tickets t
    JOIN u ON t.asset_id = u.asset_id AND t.alarm_source = u.source AND t.alarm_code = u.code
    WHERE t.{OPEN_ALARM}
    ORDER BY t.id FOR UPDATE OF t
)
UPDATE intake.tickets t
SET occurrences = t.occurrences + hit.n, last_occurred_at = greatest(t.last_occurred_at, hit.at),
    updated_at = $6
FROM hit WHERE t.id = hit.id
RETURNING {", ".join(f"t.{c.strip()}" for c in ANSWER_COLUMNS.split(","))}"""

# One statement for a whole batch of reports, numbered from the sequence in the batch's order.
# An alarm whose open ticket appeared since the fold above (another replica's commit) still
# folds, here: the partial unique index is what holds "one open ticket per alarm".
_ENTRY_ARRAYS = (
    ("id", "uuid"),
    ("customer_id", "uuid"),
    ("summary", "text"),
    ("description", "text"),
    ("channel", "text"),
    ("category", "text"),
    ("impact", "text"),
    ("priority", "text"),
    ("region", "text"),
    ("created_by", "text"),
    ("reported_at", "timestamptz"),
    ("contact_id", "uuid"),
    ("site_id", "uuid"),
    ("asset_id", "uuid"),
    ("asset_serial", "text"),
    ("asset_manufacturer", "text"),
    ("asset_model", "text"),
    ("contract_id", "uuid"),
    ("coverage", "text"),
    ("calendar", "text"),
    ("in_warranty", "bool"),
    ("chargeable", "bool"),
    ("alarm_source", "text"),
    ("alarm_code", "text"),
    ("occurrences", "int"),
    ("last_occurred_at", "timestamptz"),
)
_ENTRY_NAMES = [name for name, _ in _ENTRY_ARRAYS]
_AT = len(_ENTRY_ARRAYS) + 1
_INSERT_ENTRIES = f"""
INSERT INTO intake.tickets (number, status, created_at, updated_at, {", ".join(_ENTRY_NAMES)})
SELECT 'T-' || lpad(nextval('intake.ticket_number_seq')::text, 8, '0'), 'new', ${_AT}, ${_AT},
       {", ".join(f"u.{name}" for name in _ENTRY_NAMES)}
FROM unnest({", ".join(f"${i}::{kind}[]" for i, (_, kind) in enumerate(_ENTRY_ARRAYS, 1))})
     WITH ORDINALITY AS u({", ".join(_ENTRY_NAMES)}, ord)
ORDER BY u.ord
ON CONFLICT (asset_id, alarm_source, alarm_code) WHERE {OPEN_ALARM}
DO UPDATE SET occurrences = intake.tickets.occurrences + excluded.occurrences,
              last_occurred_at = greatest(intake.tickets.last_occurred_at, excluded.last_occurred_at),
              updated_at = excluded.updated_at
RETURNING {ANSWER_COLUMNS}, (xmax = 0) AS inserted"""


@dataclass(frozen=True, slots=True)
class Placement:
    """An asset found by its serial, with its contract and where it stands."""

    asset: Asset
    contract: Contract
    site_timezone: str
    region: str | None


@dataclass(frozen=True, slots=True)
class CustomerOnFile:
    region: str | None
    contracts: tuple[Contract, ...]


@dataclass(frozen=True, slots=True)
class SiteOnFile:
    customer_id: UUID
    timezone: str
    region: str | None


async def find_by_serials(
    conn: Connection, lookups: Sequence[tuple[str, str | None]]
) -> list[Placement | UnknownSerial | AmbiguousSerial]:
    """IN-10: each (serial, manufacturer or None) found, or why not, in the order asked."""
    if not lookups:
        return []
    rows = await conn.fetch(_BY_SERIALS, [s for s, _ in lookups], [m for _, m in lookups])
    matches: dict[int, list[Any]] = {}
    for row in rows:
        matches.setdefault(row["ord"], []).append(row)
    found: list[Placement | UnknownSerial | AmbiguousSerial] = []
    for ord_, (serial, maker) in enumerate(lookups, 1):
        rows_of = matches.get(ord_, [])
        if not rows_of:
            detail = f"no asset with serial {serial}" + (f" from {maker}" if maker else "")
            found.append(UnknownSerial(detail, field="serial"))
        elif len(rows_of) > 1:
            makers = ", ".join(row["manufacturer"] for row in rows_of)
            found.append(
                AmbiguousSerial(
                    f"serial {serial} is registered for several manufacturers ({makers}): "
                    "send the manufacturer too",
                    field="manufacturer",
                    manufacturers=makers,
                )
            )
        else:
            row = rows_of[0]
            found.append(
                Placement(
                    asset=Asset(**{name: row[name] for name in Asset.__dataclass_fields__}),
                    contract=contracts_store.contract_from(row, prefix="c_"),
                    site_timezone=row["site_timezone"],
                    region=row["region"],
                )
            )
    return found


async def customers_on_file(conn: Connection, ids: Iterable[UUID]) -> dict[UUID, CustomerOnFile]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    regions: dict[UUID, str | None] = {}
    contracts: dict[UUID, list[Contract]] = {}
    for row in await conn.fetch(_CUSTOMERS, wanted):
        regions[row["customer_id"]] = row["customer_region"]
        contracts.setdefault(row["customer_id"], [])
        if row["c_id"] is not None:
            contracts[row["customer_id"]].append(contracts_store.contract_from(row, prefix="c_"))
    return {cid: CustomerOnFile(regions[cid], tuple(contracts[cid])) for cid in regions}


async def sites_on_file(conn: Connection, ids: Iterable[UUID]) -> dict[UUID, SiteOnFile]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    return {
        r["id"]: SiteOnFile(r["customer_id"], r["timezone"], r["region"])
        for r in await conn.fetch(_SITES, wanted)
    }


async def contacts_on_file(conn: Connection, ids: Iterable[UUID]) -> dict[UUID, UUID]:
    """Each contact's customer."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    return {r["id"]: r["customer_id"] for r in await conn.fetch(_CONTACTS, wanted)}


async def contacts_to_call(
    conn: Connection, tickets: Sequence[tuple[UUID, UUID | None, UUID]]
) -> dict[UUID, tuple[str, str]]:
    """Each (ticket, its contact or None, its customer)'s (name, phone) to call; none known: absent."""
    if not tickets:
        return {}
    columns = [list(column) for column in zip(*tickets, strict=True)]
    return {
        r["ticket_id"]: (r["name"], r["phone"])
        for r in await conn.fetch(_CONTACTS_TO_CALL, *columns)
    }


async def lock_alarms(conn: Connection, lock_ids: Iterable[int]) -> None:
    ordered = sorted(set(lock_ids))
    if ordered:
        await conn.fetchval(_LOCK_ALARMS, ordered)


async def fold_alarms(
    conn: Connection,
    repeats: Sequence[tuple[UUID, str, str, int, datetime]],
    at: datetime,
) -> dict[tuple[UUID, str, str], dict[str, Any]]:
    """Add (asset, source, code, count, last seen) to each matching open ticket; by alarm key."""
    if not repeats:
        return {}
    columns = list(zip(*repeats, strict=True))
    rows = await conn.fetch(_FOLD, *columns, at)
    return {(r["asset_id"], r["alarm_source"], r["alarm_code"]): dict(r) for r in rows}


async def insert_entries(
    conn: Connection, entries: Sequence[dict[str, Any]], at: datetime
) -> list[dict[str, Any]]:
    """The tickets written, each with `inserted` False where an alarm folded into an open one."""
    if not entries:
        return []
    records = await conn.fetch(
        _INSERT_ENTRIES, *([entry[name] for entry in entries] for name in _ENTRY_NAMES), at
    )
    return [dict(r) for r in records]


# A fold locks open tickets that a consumer of dispatch's facts may also be moving, several in
# one transaction and in its own order: PostgreSQL then breaks the deadlock by failing one side.
DEADLOCK_ATTEMPTS = 3


async def retrying_deadlocks(conn: Connection, work: Callable[[], Awaitable[T]]) -> T:
    """`work` in a savepoint, run again (up to DEADLOCK_ATTEMPTS) if it lost a deadlock: rolling
    back to the savepoint frees the row locks it took, so the other side goes on."""
    for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
        try:
            async with conn.transaction():
                return await work()
        except asyncpg.DeadlockDetectedError:
            if attempt == DEADLOCK_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


# --- the ticket's life after creation (IN-4) ---

# The end of a ticket's life is kept once: closing or cancelling stamps its time.
_SAVE = """
UPDATE intake.tickets
SET status = $2::text, held_from = $3, resolved_at = $4,
    closed_at = CASE WHEN $2::text = 'closed' THEN $5 ELSE closed_at END,
    cancelled_at = CASE WHEN $2::text = 'cancelled' THEN $5 ELSE cancelled_at END,
    updated_at = $5
WHERE id = $1"""
# The priority before the change comes from the row as the statement found it (locked already).
_RECLASSIFY = """
UPDATE intake.tickets t SET priority = $2, updated_at = $3
FROM (SELECT id, priority FROM intake.tickets WHERE id = $1) before
WHERE t.id = before.id
RETURNING before.priority"""


async def save(conn: Connection, ticket: Ticket, at: datetime) -> None:
    """The ticket as a move left it (`TicketMoved.applied_to`); `at` is the unit of work's now."""
    await conn.execute(
        _SAVE,
        ticket.id,
        ticket.status.value,
        None if ticket.held_from is None else ticket.held_from.value,
        ticket.resolved_at,
        at,
    )


async def reclassify(conn: Connection, ticket_id: UUID, priority: str, at: datetime) -> str:
    """The new priority stored; returns the old one."""
    old: str = await conn.fetchval(_RECLASSIFY, ticket_id, priority, at)
    return old
