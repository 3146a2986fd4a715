"""The breach timer: clocks live in Postgres, so any replica may fire them and a restart loses
none."""

from __future__ import annotations

import asyncio
import logging

from services.escalation.clocks.commands import FireBreaches
from services.escalation.clocks.handlers import fire_breaches
from shared.db import DatabaseUnavailable, is_transient
from shared.observability import log_fields
from shared.service import Runtime

log = logging.getLogger(__name__)
TICK_S = 1.0


async def breach_timer(runtime: Runtime) -> None:
    while True:
        try:
            async with runtime.uow() as uow:
                fired = await fire_breaches(FireBreaches(), uow)
                await uow.commit()
            if fired:
                log.info("SLA clocks breached", extra=log_fields(count=fired))
                continue  # there may be more overdue right now
        except DatabaseUnavailable as exc:
            log.warning("breach timer cannot reach the database", extra=log_fields(error=str(exc)))
        except Exception as exc:
            if not is_transient(exc):
                raise
        await asyncio.sleep(TICK_S)
