"""The notice timer: each advance notice is emitted once, when its send-by time comes."""

from __future__ import annotations

from services.intake.notices.commands import EmitDueNotices
from services.intake.notices.handlers import emit_due_notices
from shared.service import Runtime
from shared.timers import run_timer


async def notice_timer(runtime: Runtime) -> None:
    await run_timer(runtime, "notices-due", lambda uow: emit_due_notices(EmitDueNotices(), uow))
