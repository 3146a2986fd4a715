"""The acceptance timer: assignments unanswered past their time move to the next candidate."""

from __future__ import annotations

from services.dispatch.dispatching.commands import FireTimeouts
from services.dispatch.dispatching.handlers import fire_timeouts
from shared.service import Runtime
from shared.timers import run_timer


async def acceptance_timer(runtime: Runtime) -> None:
    await run_timer(runtime, "acceptance", lambda uow: fire_timeouts(FireTimeouts(), uow))
