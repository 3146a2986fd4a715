"""The SLA timer: clocks whose next threshold is due are announced once, by whichever replica
claims them."""

from __future__ import annotations

from services.escalation.clocks.commands import FireClocks
from services.escalation.clocks.handlers import fire_clocks
from shared.service import Runtime
from shared.timers import run_timer

# A clock is announced at most this late (plus its batch) after an idle tick: the bound on
# fire lateness, against a target of p99 <= 1 s. An idle tick is one indexed query.
TICK_S = 0.25


async def sla_timer(runtime: Runtime) -> None:
    await run_timer(
        runtime, "sla-thresholds", lambda uow: fire_clocks(FireClocks(), uow), tick_s=TICK_S
    )
