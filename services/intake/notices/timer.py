"""The notice timer: notices live in Postgres, so any replica may emit them and a restart
loses none (the shape of escalation's breach timer)."""

from __future__ import annotations

import asyncio
import logging

from services.intake.notices.commands import EmitDueNotices
from services.intake.notices.handlers import emit_due_notices
from shared.db import DatabaseUnavailable, is_transient
from shared.observability import log_fields
from shared.service import Runtime

log = logging.getLogger(__name__)
TICK_S = 1.0


async def notice_timer(runtime: Runtime) -> None:
    while True:
        try:
            async with runtime.uow() as uow:
                emitted = await emit_due_notices(EmitDueNotices(), uow)
                await uow.commit()
            if emitted:
                log.info("advance notices due", extra=log_fields(count=emitted))
                continue  # there may be more due right now
        except DatabaseUnavailable as exc:
            log.warning("notice timer cannot reach the database", extra=log_fields(error=str(exc)))
        except Exception as exc:
            if not is_transient(exc):
                raise
        await asyncio.sleep(TICK_S)
