"""Child processes and a small supervisor for them.

Every child starts in a session of its own, so its process group holds everything it forks;
stopping a child signals the whole group, and nothing is left behind when the leader dies first.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from rich.console import Console
from rich.text import Text

# Colours for the name prefix of each child's output, chosen in start order.
PALETTE = (
    "cyan",
    "magenta",
    "green",
    "yellow",
    "blue",
    "bright_red",
    "bright_cyan",
    "bright_magenta",
)


def spawn(
    argv: Sequence[str | os.PathLike[str]],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    log_path: Path | None = None,
    user: str | None = None,
) -> subprocess.Popen[bytes]:
    """Start a background process in its own session, its output appended to `log_path`."""
    # As root the child runs as `user` with that user's primary group and no others, so the
    # files it creates are its own (PostgreSQL refuses a data dir it does not own).
    group: int | None = None
    if user is not None:
        import pwd

        group = pwd.getpwnam(user).pw_gid
    log: IO[bytes] | int = subprocess.DEVNULL
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(log_path, "ab")  # noqa: SIM115 - the child keeps its own copy of the fd
    try:
        return subprocess.Popen(
            [str(a) for a in argv],
            env=dict(env) if env is not None else None,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=user,
            group=group,
            extra_groups=[] if user is not None else None,
        )
    finally:
        if not isinstance(log, int):
            log.close()


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def stop_groups(
    leaders: Iterable[subprocess.Popen[bytes] | int],
    *,
    grace: float,
    stop_signal: int = signal.SIGTERM,
    leader_only: bool = False,
) -> list[int]:
    """Ask each process group to stop, SIGKILL what is left after `grace`; return the killed pgids.

    `leader_only` sends the polite signal to the leader alone: PostgreSQL wants SIGINT on the
    postmaster (fast shutdown) while the same signal on a backend only cancels its query.
    """
    popens = [p for p in leaders if isinstance(p, subprocess.Popen)]
    pgids = [p.pid if isinstance(p, subprocess.Popen) else p for p in leaders]
    for pgid in pgids:
        if leader_only:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pgid, stop_signal)
        else:
            signal_group(pgid, stop_signal)

    def remaining() -> list[int]:
        for p in popens:
            p.poll()  # reap our own children, or their zombies keep the group alive
        return [g for g in pgids if group_alive(g)]

    deadline = time.monotonic() + grace
    while (left := remaining()) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pgid in left:
        signal_group(pgid, signal.SIGKILL)
    deadline = time.monotonic() + 3.0
    while remaining() and time.monotonic() < deadline:
        time.sleep(0.02)
    return left


def log_tail(path: Path | None, lines: int = 30) -> str:
    if path is None:
        return "(no log)"
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return "(no log)"


def describe_exit(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"code {code} ({signal.Signals(-code).name})"
    return f"code {code}"


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str] | None
    cwd: Path | None
    restart: bool
    style: str
    process: asyncio.subprocess.Process | None = None
    starts: int = 0
    exit_codes: list[int] = field(default_factory=list)
    recent: deque[str] = field(default_factory=lambda: deque(maxlen=200))
    stopping: bool = False
    started: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    log_path: Path | None = None

    @property
    def pid(self) -> int | None:
        if self.process is None or self.process.returncode is not None:
            return None
        return self.process.pid

    @property
    def restarts(self) -> int:
        return max(0, self.starts - 1)

    def tail(self, lines: int = 20) -> str:
        if not self.recent and self.log_path is not None and self.log_path.exists():
            # Written straight to its log (no pipe): read the end of the file instead.
            return "\n".join(self.log_path.read_text("utf-8", "replace").splitlines()[-lines:])
        return "\n".join(list(self.recent)[-lines:])


class Supervisor:
    """Runs children, streams their output with a coloured name, restarts those that die.

    A child that dies is restarted after a back-off that doubles with each quick death and
    starts over once a run lasted `healthy_after` seconds. `stop()` ends all of them within
    `grace` + about 3 s: SIGTERM to each process group, then SIGKILL.
    """

    def __init__(
        self,
        *,
        console: Console | None = None,
        grace: float = 5.0,
        backoff_first: float = 0.5,
        backoff_max: float = 15.0,
        healthy_after: float = 10.0,
        log_dir: Path | None = None,
        name_width: int = 10,
        to_log_only: bool = False,
    ) -> None:
        self.console = console or Console(highlight=False)
        self.grace = grace
        self.backoff_first = backoff_first
        self.backoff_max = backoff_max
        self.healthy_after = healthy_after
        self.log_dir = log_dir
        # Children write straight into their log file, nothing on the console: no pipe for this
        # process to drain, so a caller that blocks its event loop (a synchronous test) can
        # never stall a child on a full pipe.
        self.to_log_only = to_log_only and log_dir is not None
        self.children: dict[str, Child] = {}
        # Known up front so that the first lines line up with the later ones.
        self._width = name_width

    def __getitem__(self, name: str) -> Child:
        return self.children[name]

    async def __aenter__(self) -> Supervisor:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def start(
        self,
        name: str,
        argv: Sequence[str | os.PathLike[str]],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        restart: bool = True,
        timeout: float = 10.0,
    ) -> Child:
        if name in self.children and self.children[name].task is not None:
            raise ValueError(f"a child named {name!r} is already supervised")
        child = Child(
            name=name,
            argv=[str(a) for a in argv],
            env=dict(env) if env is not None else None,
            cwd=cwd,
            restart=restart,
            style=PALETTE[len(self.children) % len(PALETTE)],
        )
        self.children[name] = child
        self._width = max(self._width, len(name))
        child.task = asyncio.create_task(self._run(child), name=f"supervise-{name}")
        await asyncio.wait_for(child.started.wait(), timeout)
        return child

    async def wait_for_start(self, name: str, *, after: int, timeout: float) -> Child:
        """Wait until `name` has been started more than `after` times (e.g. after a kill)."""
        child = self.children[name]
        deadline = time.monotonic() + timeout
        while not (child.starts > after and child.pid is not None):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} was not restarted within {timeout} s")
            await asyncio.sleep(0.02)
        return child

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal a child's whole group as a crash would; the supervisor then restarts it."""
        pid = self.children[name].pid
        if pid is not None:
            signal_group(pid, sig)

    async def stop(self, names: Iterable[str] | None = None, *, grace: float | None = None) -> None:
        targets = [self.children[n] for n in (names if names is not None else list(self.children))]
        for child in targets:
            child.stopping = True
        running = [c for c in targets if c.pid is not None]
        await asyncio.to_thread(
            stop_groups,
            [c.pid for c in running if c.pid],
            grace=self.grace if grace is None else grace,
        )
        tasks = [c.task for c in targets if c.task is not None]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=2.0)
            for task in pending:
                task.cancel()
        for child in targets:
            child.task = None
            if child.pid is not None:  # spawned during the stop: no grace left for it
                signal_group(child.pid, signal.SIGKILL)

    def say(self, name: str, message: str, style: str = "bold") -> None:
        child = self.children.get(name)
        prefix = Text(f"{name:<{self._width}} │ ", style=child.style if child else "bold")
        self.console.print(prefix + Text(message, style=style), soft_wrap=True)

    async def _run(self, child: Child) -> None:
        quick_deaths = 0
        log = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            child.log_path = self.log_dir / f"{child.name}.log"
            log = open(child.log_path, "a", encoding="utf-8")  # noqa: SIM115
        try:
            while not child.stopping:
                began = time.monotonic()
                direct = self.to_log_only and log is not None
                process = await asyncio.create_subprocess_exec(
                    *child.argv,
                    env=child.env,
                    cwd=child.cwd,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=log if direct else asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.STDOUT,
                    start_new_session=True,
                    limit=1024 * 1024,
                )
                child.process = process
                child.starts += 1
                child.started.set()
                if child.stopping:  # stop() ran while this one was being spawned
                    signal_group(process.pid, signal.SIGTERM)
                pump = None if direct else asyncio.create_task(self._pump(child, process, log))
                code = await process.wait()
                # A grandchild may hold the pipe open after the leader died: don't wait for it.
                signal_group(process.pid, signal.SIGKILL)
                if pump is not None:
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(pump, 1.0)
                child.exit_codes.append(code)
                if child.stopping:
                    break
                if not child.restart:
                    self.say(
                        child.name, f"exited with {describe_exit(code)}; not restarting", "bold red"
                    )
                    break
                if time.monotonic() - began >= self.healthy_after:
                    quick_deaths = 0
                delay = min(self.backoff_max, self.backoff_first * 2**quick_deaths)
                quick_deaths += 1
                self.say(
                    child.name,
                    f"exited with {describe_exit(code)} after {time.monotonic() - began:.1f} s; "
                    f"restarting in {delay:.1f} s (restart #{child.starts})",
                    "bold red",
                )
                deadline = time.monotonic() + delay
                while not child.stopping and time.monotonic() < deadline:
                    await asyncio.sleep(min(0.05, delay))
        finally:
            if log is not None:
                log.close()

    async def _pump(
        self, child: Child, process: asyncio.subprocess.Process, log: IO[str] | None
    ) -> None:
        assert process.stdout is not None
        prefix = Text(f"{child.name:<{self._width}} │ ", style=child.style)
        while True:
            try:
                raw = await process.stdout.readline()
            except ValueError:  # a line longer than the limit: show it cut rather than stall
                raw = await process.stdout.read(64 * 1024)
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\n")
            child.recent.append(line)
            if log is not None:
                log.write(line + "\n")
                log.flush()
            self.console.print(prefix + Text(line), soft_wrap=True)
