"""The breach timer: overdue SLA clocks are breached once, by whichever replica claims them."""

from __future__ import annotations

from services.escalation.clocks.commands import FireBreaches
from services.escalation.clocks.handlers import fire_breaches
from shared.service import Runtime
from shared.timers import run_timer


async def breach_timer(runtime: Runtime) -> None:
    await run_timer(runtime, "sla-breaches", lambda uow: fire_breaches(FireBreaches(), uow))
