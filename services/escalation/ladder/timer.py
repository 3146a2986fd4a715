"""The ladder timer: tickets whose step limit (or hold) ran out climb one level, once, by
whichever replica claims them."""

from __future__ import annotations

from services.escalation.ladder.commands import FireLadders
from services.escalation.ladder.handlers import fire_ladders
from shared.service import Runtime
from shared.timers import run_timer


async def ladder_timer(runtime: Runtime) -> None:
    await run_timer(runtime, "escalation-ladder", lambda uow: fire_ladders(FireLadders(), uow))
