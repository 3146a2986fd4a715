"""A Postgres-held timer: what is due lives in a table, so any replica may fire it and a
restart loses none.

Each tick runs `fire` in a unit of work of its own and commits; `fire` claims what is due
with `FOR UPDATE SKIP LOCKED`, so two replicas never fire the same row. When a tick fired
something there may be more due right now, so the next one starts at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from shared.db import DatabaseUnavailable, UnitOfWork, is_transient
from shared.observability import log_fields

if TYPE_CHECKING:
    from shared.service import Runtime

log = logging.getLogger(__name__)

Fire = Callable[[UnitOfWork], Awaitable[int]]


async def run_timer(runtime: Runtime, name: str, fire: Fire, *, tick_s: float = 1.0) -> None:
    while True:
        try:
            async with runtime.uow() as uow:
                fired = await fire(uow)
                await uow.commit()
            if fired:
                log.info("timer fired", extra=log_fields(timer=name, count=fired))
                continue
        except DatabaseUnavailable as exc:
            log.warning(
                "timer cannot reach the database", extra=log_fields(timer=name, error=str(exc))
            )
        except Exception as exc:
            if not is_transient(exc):
                raise
        await asyncio.sleep(tick_s)
