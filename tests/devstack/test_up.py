import asyncio
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import psutil

from shared.devstack.net import free_port, port_is_free
from tests.support.stack import eventually

RUN_UP = Path(__file__).with_name("run_up.py")
REPO = Path(__file__).resolve().parents[2]


async def run_until_up(
    state_dir: Path, port_base: int
) -> tuple[asyncio.subprocess.Process, list[str]]:
    env = without_given_services({**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"})
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


def without_given_services(env: dict[str, str]) -> dict[str, str]:
    for name in (
        "DATABASE_URL",
        "FIELDOPS_DATABASE_URL",
        "KAFKA_BOOTSTRAP_SERVERS",
        "FIELDOPS_KAFKA_BOOTSTRAP_SERVERS",
        "FIELDOPS_JWT_SECRET",
        "FIELDOPS_JWT_JWKS_URL",
    ):
        env.pop(name, None)
    return env


def banner_shell(output: str) -> str:
    """What `up` prints below its panel, up to where the logs begin: all of it is meant to be pasted."""
    below_panel = output[output.rindex("╰") :].split("\n", 1)[1]
    return below_panel[: below_panel.index("# Logs follow")]


def paste(shell: str) -> subprocess.CompletedProcess[str]:
    # -e and pipefail: a line that fails, or that bash cannot parse, fails the run.
    return subprocess.run(
        ["bash", "-c", f"set -eo pipefail\n{shell}"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def fieldops_token(state_dir: Path, sub: str, scope: str) -> str:
    answer = subprocess.run(
        [
            sys.executable,
            "-m",
            "shared.cli",
            "token",
            "--sub",
            sub,
            "--scope",
            scope,
            "--state-dir",
            str(state_dir),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        check=False,
        env=without_given_services({**os.environ, "PYTHONPATH": str(REPO)}),
    )
    assert answer.returncode == 0, answer.stderr
    return answer.stdout.strip()


async def logged(path: Path, *lines: str) -> None:
    async def found() -> bool:
        text = path.read_text() if path.exists() else ""
        return all(line in text for line in lines)

    await eventually(found, timeout=5)


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


async def test_up_starts_the_stack_prints_commands_that_run_as_pasted_and_a_second_up_keeps_data_and_secret(
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
    secret_file = state_dir / "jwt-secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = secret_file.read_text()
    assert len(secret.strip()) >= 32 and secret.strip() not in output

    # The newcomer pastes what the banner printed: every line runs, and each request is authenticated.
    pasted = paste(banner_shell(output))
    assert pasted.returncode == 0, pasted.stderr
    ticket_id = "00000000-0000-0000-0000-00000000c0de"
    logs = state_dir / "logs"
    await logged(
        logs / "intake.log",
        "POST /v1/tickets as demo-call-centre",
        f"GET /v1/tickets/{ticket_id} as demo-ops",
    )
    await logged(logs / "dispatch.log", f"GET /v1/tickets/{ticket_id}/assignments as demo-ops")
    await logged(logs / "escalation.log", f"GET /v1/tickets/{ticket_id}/sla as demo-ops")
    kept_token = fieldops_token(state_dir, "call-centre", "tickets:write tickets:read")
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
        # The same secret, so a token printed before the restart still works after it.
        assert secret_file.read_text() == secret
        intake = f"http://127.0.0.1:{base + 1}"
        reused = paste(
            f"curl -sS --fail-with-body {intake}/v1/tickets/{ticket_id} "
            f"-H 'Authorization: Bearer {kept_token}'"
        )
        assert reused.returncode == 0, reused.stderr
        await logged(logs / "intake.log", f"GET /v1/tickets/{ticket_id} as call-centre")
        conn = await asyncpg.connect(url)
        assert await conn.fetchval("SELECT note FROM kept") == "from the first up"
        await conn.close()
    finally:
        code, _, family = await interrupt(process)
    assert code == 0 and [pid for pid in family if not gone(pid)] == []
