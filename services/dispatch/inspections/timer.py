"""The inspection timer: each contract in warranty gets its month's inspection, once (DS-6)."""

from __future__ import annotations

from services.dispatch.inspections.commands import ScheduleInspections
from services.dispatch.inspections.handlers import schedule_inspections
from shared.service import Runtime
from shared.timers import run_timer

# Unlike a due-row timer this one reads every contract in warranty; a month turns once, and
# a new contract waits a few seconds at most for its first inspection.
TICK_S = 5.0


async def inspection_timer(runtime: Runtime) -> None:
    await run_timer(
        runtime,
        "inspections-due",
        lambda uow: schedule_inspections(ScheduleInspections(), uow),
        tick_s=TICK_S,
    )
