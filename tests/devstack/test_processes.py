import asyncio
import io
import os
import signal
import sys
import time
from pathlib import Path

import psutil
from rich.console import Console

from shared.devstack.processes import Supervisor

DUMMY = Path(__file__).with_name("dummy_service.py")


def quiet_supervisor(**options: float) -> tuple[Supervisor, io.StringIO]:
    output = io.StringIO()
    return Supervisor(console=Console(file=output, width=200), **options), output


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


async def test_the_supervisor_restarts_a_child_killed_with_sigkill_and_says_so() -> None:
    supervisor, output = quiet_supervisor(backoff_first=0.1)
    async with supervisor:
        child = await supervisor.start(
            "intake", [sys.executable, DUMMY], env={**os.environ, "FIELDOPS_PORT": "0"}
        )
        first_pid = child.pid
        assert first_pid is not None
        os.kill(first_pid, signal.SIGKILL)

        await supervisor.wait_for_start("intake", after=1, timeout=10)

        assert child.pid not in (None, first_pid)
        assert child.exit_codes == [-signal.SIGKILL]
    assert "intake" in output.getvalue() and "exited with code -9 (SIGKILL)" in output.getvalue()


async def test_a_child_that_keeps_dying_is_restarted_after_doubling_delays() -> None:
    supervisor, output = quiet_supervisor(backoff_first=0.1)
    async with supervisor:
        await supervisor.start("broken", [sys.executable, "-c", "raise SystemExit(3)"])
        await supervisor.wait_for_start("broken", after=3, timeout=10)
    text = output.getvalue()
    assert [f"restarting in {d} s" in text for d in ("0.1", "0.2", "0.4")] == [True, True, True]
    assert "exited with code 3" in text


async def test_stopping_the_supervisor_leaves_no_process_behind_not_even_a_grandchild() -> None:
    supervisor, _ = quiet_supervisor()
    env = {**os.environ, "FIELDOPS_PORT": "0", "DUMMY_FORK": "1"}
    async with supervisor:
        child = await supervisor.start("dispatch", [sys.executable, DUMMY], env=env)
        leader = psutil.Process(child.pid)
        deadline = time.monotonic() + 10
        while not leader.children() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        family = [leader.pid, *(p.pid for p in leader.children(recursive=True))]
        assert len(family) >= 2
        began = time.monotonic()
    assert time.monotonic() - began < 10
    assert all(gone(pid) for pid in family)


async def test_a_child_that_ignores_sigterm_is_killed_once_the_grace_is_over() -> None:
    supervisor, _ = quiet_supervisor(grace=0.5)
    stubborn = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('up', flush=True); time.sleep(60)"
    )
    async with supervisor:
        child = await supervisor.start("stubborn", [sys.executable, "-c", stubborn])
        while not child.recent:
            await asyncio.sleep(0.02)
        began = time.monotonic()
    assert time.monotonic() - began < 4
    assert child.exit_codes == [-signal.SIGKILL]
