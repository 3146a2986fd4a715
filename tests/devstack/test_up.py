import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path

import asyncpg
import psutil

from shared.devstack.net import free_port, port_is_free

RUN_UP = Path(__file__).with_name("run_up.py")
REPO = Path(__file__).resolve().parents[2]


async def run_until_up(
    state_dir: Path, port_base: int
) -> tuple[asyncio.subprocess.Process, list[str]]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    for name in (
        "DATABASE_URL",
        "FIELDOPS_DATABASE_URL",
        "KAFKA_BOOTSTRAP_SERVERS",
        "FIELDOPS_KAFKA_BOOTSTRAP_SERVERS",
    ):
        env.pop(name, None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(RUN_UP),
        str(state_dir),
        str(port_base),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    lines: list[str] = []
    assert process.stdout is not None

    async def read_until_ready() -> None:
        async for raw in process.stdout:
            lines.append(raw.decode(errors="replace"))
            if "Logs follow" in lines[-1]:
                return
        raise AssertionError("up exited before it was ready:\n" + "".join(lines))

    await asyncio.wait_for(read_until_ready(), 60)
    return process, lines


async def interrupt(process: asyncio.subprocess.Process) -> tuple[int, float, list[int]]:
    family = [p.pid for p in psutil.Process(process.pid).children(recursive=True)]
    began = time.monotonic()
    process.send_signal(signal.SIGINT)
    assert process.stdout is not None
    await asyncio.wait_for(process.stdout.read(), 15)
    code = await asyncio.wait_for(process.wait(), 15)
    return code, time.monotonic() - began, family


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def free_port_block() -> int:
    for _ in range(50):
        base = free_port()
        if base < 60000 and all(port_is_free(base + i) for i in range(1, 5)):
            return base
    raise RuntimeError("no block of 5 free ports")


async def test_up_starts_the_stack_stops_it_on_ctrl_c_and_a_second_up_finds_the_first_ones_data(
    tmp_path: Path,
) -> None:
    state_dir = tmp_path / "state"
    base = free_port_block()

    process, lines = await run_until_up(state_dir, base)
    output = "".join(lines)
    assert "fieldops is up" in output and f"http://127.0.0.1:{base + 1}/v1/tickets" in output
    assert '"customer_id": "00000000-0000-0000-0000-00000000c0de"' in output
    ports = json.loads((state_dir / "ports.json").read_text())
    url = f"postgresql://postgres@127.0.0.1:{ports['postgres']}/fieldops"
    conn = await asyncpg.connect(url)
    await conn.execute(
        "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('from the first up')"
    )
    await conn.close()

    code, stop_seconds, family = await interrupt(process)
    assert code == 0 and stop_seconds < 10
    assert len(family) >= 7  # postgres, weed, tansu and four services at least
    assert [pid for pid in family if not gone(pid)] == []

    process, _ = await run_until_up(state_dir, base)
    try:
        assert json.loads((state_dir / "ports.json").read_text()) == ports
        conn = await asyncpg.connect(url)
        assert await conn.fetchval("SELECT note FROM kept") == "from the first up"
        await conn.close()
    finally:
        code, _, family = await interrupt(process)
    assert code == 0 and [pid for pid in family if not gone(pid)] == []
