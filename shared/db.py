"""PostgreSQL access: one asyncpg pool per service and the unit of work.

Tables are declared with SQLModel and migrated with Alembic; at run time the
services speak SQL through asyncpg, because on this hardware the ORM path costs
4-6x the CPU of asyncpg per transaction (perf-notes.md) and every ticket crosses
several transactions. Only the entrypoint (an HTTP route or a consumer) commits.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

import asyncpg

from shared.clock import Clock, SystemClock
from shared.observability import trace_id_var
from shared.outbox_rows import write_outbox

if TYPE_CHECKING:
    from datetime import datetime

    from shared.changes import ChangeFeed
    from shared.events.base import Event
    from shared.settings import Settings


class DatabaseUnavailable(Exception):
    """The database could not be reached or dropped us; the caller may retry."""


# Errors after which nothing is known to be committed and a retry is safe.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError,
    # A connection whose server died mid-transaction can fail the next statement with this
    # instead of a connection error ("cannot switch to state 12; another operation (2) is in
    # progress", seen after kill -9 of PostgreSQL): the transaction is lost like any other.
    asyncpg.exceptions.InternalClientError,
    asyncpg.exceptions.SerializationError,
    asyncpg.exceptions.DeadlockDetectedError,
    asyncpg.exceptions.QueryCanceledError,
)


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, TRANSIENT_ERRORS)


def asyncpg_dsn(url: str) -> str:
    """Accept SQLAlchemy-style URLs too (`postgresql+asyncpg://`)."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme.split('+')[0]}{sep}{rest}"


async def init_connection(conn: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Pool connections carry no session state (no LISTEN, SET or session advisory lock: the relay
    uses a connection of its own, and locks here are transaction-scoped), so the default reset -
    one more round trip per transaction - buys nothing. asyncpg still rolls back an open transaction."""


async def create_pool(
    settings: Settings, *, min_size: int | None = None, max_size: int | None = None
) -> asyncpg.Pool:
    # min_size 0 lets a service start while the database is down: /readyz says so,
    # and the pool connects as soon as the database answers.
    return await asyncpg.create_pool(
        asyncpg_dsn(settings.database_url),
        min_size=0 if min_size is None else min_size,
        max_size=max_size or settings.db_pool_max,
        init=init_connection,
        reset=_keep_session,
        # Explicit, not asyncpg's implicit default: see Settings.db_statement_cache_size.
        statement_cache_size=settings.db_statement_cache_size,
        command_timeout=settings.db_statement_timeout_ms / 1000,
        server_settings={"application_name": f"fieldops-{settings.service}"},
        timeout=5,
    )


class UnitOfWork:
    """One transaction: state changes plus the outbox rows of the events they cause.

    Leaving the block without `commit()` rolls back, so a failed request or a
    crashed handler leaves neither state nor events behind.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        settings: Settings,
        *,
        acquire_timeout: float = 5.0,
        changes: ChangeFeed | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.pool = pool
        # Read once: every row and event of this transaction carries the same business time.
        self.now: datetime = (clock or SystemClock()).now()
        self.settings = settings
        self.acquire_timeout = acquire_timeout
        self.changes = changes
        self.changed_keys: set[Hashable] = set()
        self.events: list[tuple[Event, str | None]] = []
        self.conn: asyncpg.Connection = None
        self._tx: asyncpg.transaction.Transaction | None = None
        self._committed = False

    async def __aenter__(self) -> UnitOfWork:
        try:
            self.conn = await self.pool.acquire(timeout=self.acquire_timeout)
            self._tx = self.conn.transaction()
            await self._tx.start()
        except TRANSIENT_ERRORS as exc:
            if self.conn is not None:
                await self.pool.release(self.conn)
            raise DatabaseUnavailable(str(exc) or type(exc).__name__) from exc
        return self

    def publish(self, *events: Event, trace_id: str | None = None) -> None:
        """Queue events for the outbox; each keeps the trace it was caused in."""
        trace = trace_id or trace_id_var.get()
        self.events.extend((event, trace) for event in events)

    def changed(self, *keys: Hashable) -> None:
        """Tell long-polls waiting on these keys, once (and only if) this transaction commits."""
        self.changed_keys.update(keys)

    async def commit(self) -> None:
        try:
            if self.events:
                await write_outbox(self.conn, self.settings, self.events)
            await self._tx.commit()  # type: ignore[union-attr]
        except TRANSIENT_ERRORS as exc:
            raise DatabaseUnavailable(str(exc) or type(exc).__name__) from exc
        self._committed = True
        if self.changes is not None and self.changed_keys:
            self.changes.notify(self.changed_keys)

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if not self._committed and self._tx is not None:
                # A transient error here: the connection is gone, and the transaction with it.
                with contextlib.suppress(*TRANSIENT_ERRORS):
                    await self._tx.rollback()
        finally:
            await self.pool.release(self.conn)


async def ping(pool: asyncpg.Pool, timeout: float = 2.0) -> bool:
    try:
        async with asyncio.timeout(timeout):
            async with pool.acquire() as conn:
                await conn.fetchval("SELECT 1")
        return True
    except Exception:  # readiness reports, it does not raise
        return False


def rows(records: Sequence[asyncpg.Record]) -> list[dict[str, Any]]:
    return [dict(r) for r in records]
