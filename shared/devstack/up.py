"""`fieldops up`: the whole system on one machine, from nothing to a ticket you can create.

PostgreSQL (embedded unless a DATABASE_URL is given), SeaweedFS + Tansu on s3:// (unless
KAFKA_BOOTSTRAP_SERVERS is given), topics, migrations, then the four services under the
supervisor, until Ctrl-C. State lives in ./.fieldops/ and survives between runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import shlex
import signal
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
from pydantic import SecretStr, ValidationError
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from shared.auth import issue_dev_token
from shared.devstack.binaries import BinaryNotFound
from shared.devstack.broker import Tansu, create_topics, start_tansu
from shared.devstack.net import LOOPBACK, free_port, port_is_free
from shared.devstack.postgres import EmbeddedPostgres, ensure_database, start_postgres
from shared.devstack.processes import Supervisor
from shared.devstack.seaweedfs import SeaweedFS, start_seaweedfs
from shared.devstack.secret import SECRET_FILE, ensure_dev_secret
from shared.devstack.services import (
    StackFailed,
    default_migrate_command,
    default_service_command,
    run_migrations,
    service_env,
    start_services,
    wait_ready,
)
from shared.devstack.waiting import StartupTimeout
from shared.settings import DEFAULT_PORTS, SERVICES, Settings

DEFAULT_STATE_DIR = Path(".fieldops")
DATABASE = "fieldops"
# Clients default to 127.0.0.1:9092 (Settings), so the broker takes it when nobody else has.
PREFERRED_KAFKA_PORT = 9092
DEMO_CUSTOMER_KEY = "demo-customer"
DEMO_ENGINEER_KEY = "demo-engineer-2"  # the engineer now names a team and a capacity
DEMO_ENGINEER_SKILLS = ["host", "network", "security", "system_software", "storage", "other"]
# Where to look after creating a ticket. The paths belong to the services' APIs: keep in step.
FOLLOW_UP = (
    ("the ticket", "intake", "/v1/tickets/{ticket_id}"),
    ("its assignment", "dispatch", "/v1/tickets/{ticket_id}/assignments"),
    ("its SLA clocks", "escalation", "/v1/tickets/{ticket_id}/sla"),
)
READ_SCOPES = ["ops:read"]


UpFailed = StackFailed


@dataclass(frozen=True)
class UpOptions:
    services: bool
    migrate: bool
    ready_timeout: float
    console: Console
    service_command: Callable[[str], Sequence[str]]
    migrate_command: Callable[[], Sequence[str]]
    service_ports: Mapping[str, int]


@dataclass
class Stack:
    """What `up` started, so that it can stop exactly that."""

    database_url: str = ""
    bootstrap: str = ""
    postgres: EmbeddedPostgres | None = None
    seaweedfs: SeaweedFS | None = None
    tansu: Tansu | None = None
    supervisor: Supervisor | None = None
    # What the services verify tokens with, so that the banner's tokens are ones they accept.
    settings: Settings | None = None
    timings: dict[str, float] = field(default_factory=dict)

    async def stop(self) -> None:
        # Services first, while the database and broker they say goodbye to still run; then
        # the infrastructure in parallel. Worst case about 3 + 5 s plus the SIGKILL wait.
        if self.supervisor is not None:
            await self.supervisor.stop(grace=3.0)
        infra = [s for s in (self.tansu, self.postgres, self.seaweedfs) if s is not None]
        await asyncio.gather(*(asyncio.to_thread(s.stop, 5.0) for s in infra))

    def kill_now(self) -> None:
        if self.supervisor is not None:
            for name in self.supervisor.children:
                self.supervisor[name].stopping = True
                self.supervisor.kill(name)
        for s in (self.tansu, self.postgres, self.seaweedfs):
            if s is not None:
                s.kill()


def up(
    state_dir: Path = DEFAULT_STATE_DIR,
    *,
    services: bool = True,
    migrate: bool = True,
    ready_timeout: float = 60.0,
    console: Console | None = None,
    service_command: Callable[[str], Sequence[str]] = default_service_command,
    migrate_command: Callable[[], Sequence[str]] = default_migrate_command,
    service_ports: Mapping[str, int] = DEFAULT_PORTS,
) -> int:
    """Run the stack until SIGINT/SIGTERM; return the process exit code."""
    options = UpOptions(
        services=services,
        migrate=migrate,
        ready_timeout=ready_timeout,
        console=console or Console(highlight=False),
        service_command=service_command,
        migrate_command=migrate_command,
        service_ports=service_ports,
    )
    console = options.console
    try:
        return asyncio.run(_up(state_dir.resolve(), options))
    except (UpFailed, StartupTimeout, BinaryNotFound) as failure:
        console.print(f"[bold red]fieldops up failed:[/] {failure}", highlight=False)
        return 1


async def _up(state_dir: Path, options: UpOptions) -> int:
    console = options.console
    began = time.monotonic()
    stack = Stack()
    main = asyncio.current_task()
    assert main is not None
    signals = 0

    def on_signal() -> None:
        nonlocal signals
        signals += 1
        if signals == 1:
            console.print("\n[bold]stopping…[/] (Ctrl-C again to kill at once)")
            main.cancel()
        else:
            stack.kill_now()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)

    with _exclusive(state_dir):
        try:
            await _start(stack, state_dir, options)
            stack.timings["total"] = time.monotonic() - began
            await _welcome(
                stack,
                console,
                services=options.services,
                service_ports=options.service_ports,
                state_dir=state_dir,
            )
            await asyncio.Event().wait()  # the supervisor streams logs meanwhile
        except asyncio.CancelledError:
            pass
        finally:
            stopping = time.monotonic()
            await stack.stop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            console.print(
                f"[bold]stopped[/] in {time.monotonic() - stopping:.1f} s; data kept in {state_dir}"
            )
    return 0


@contextlib.contextmanager
def _exclusive(state_dir: Path) -> Iterator[None]:
    state_dir.mkdir(parents=True, exist_ok=True)
    with open(state_dir / "up.lock", "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UpFailed(f"another `fieldops up` is running on {state_dir}") from None
        lock.truncate(0)
        lock.write(str(os.getpid()))
        lock.flush()
        yield


async def _start(stack: Stack, state_dir: Path, options: UpOptions) -> None:
    console, service_ports = options.console, options.service_ports
    services, migrate = options.services, options.migrate
    if services:
        _check_free(service_ports)
    logs = state_dir / "logs"
    ports = _Ports(state_dir / "ports.json")
    given_database = _given("DATABASE_URL")
    given_broker = _given("KAFKA_BOOTSTRAP_SERVERS")
    try:
        settings = Settings()
    except ValidationError as invalid:
        raise UpFailed(f"the environment's FIELDOPS_* settings are refused:\n{invalid}") from None
    if settings.jwt_secret is None and not settings.jwt_jwks_url:
        settings = settings.model_copy(
            update={"jwt_secret": SecretStr(ensure_dev_secret(state_dir))}
        )
    stack.settings = settings

    async def database() -> None:
        if given_database:
            stack.database_url = settings.database_url
            return
        with _timed(stack, "postgres"):
            stack.postgres = await start_postgres(
                state_dir / "postgres", port=ports.reuse("postgres"), log_path=logs / "postgres.log"
            )
            ports.remember("postgres", stack.postgres.port)
            stack.database_url = await ensure_database(stack.postgres.server_url, DATABASE)
        console.print(
            f"[green]✓[/] PostgreSQL  {stack.database_url}  ({stack.timings['postgres']:.1f} s)"
        )

    async def broker() -> None:
        if given_broker:
            stack.bootstrap = settings.kafka_bootstrap_servers
        else:
            with _timed(stack, "seaweedfs"):
                stack.seaweedfs = await start_seaweedfs(
                    state_dir / "seaweedfs", log_path=logs / "seaweedfs.log"
                )
            console.print(
                f"[green]✓[/] SeaweedFS   {stack.seaweedfs.s3_endpoint}  ({stack.timings['seaweedfs']:.1f} s)"
            )
            with _timed(stack, "tansu"):
                stack.tansu = await start_tansu(
                    port=ports.reuse("kafka", PREFERRED_KAFKA_PORT),
                    storage=f"s3://{stack.seaweedfs.bucket}/",
                    s3_endpoint=stack.seaweedfs.s3_endpoint,
                    log_path=logs / "tansu.log",
                )
            ports.remember("kafka", stack.tansu.port)
            stack.bootstrap = stack.tansu.bootstrap
        with _timed(stack, "topics"):
            await create_topics(stack.bootstrap, settings.all_topics(), settings.kafka_partitions)
        console.print(
            f"[green]✓[/] Kafka       {stack.bootstrap}{' (Tansu on s3://)' if stack.tansu else ''}, "
            f"{len(settings.all_topics())} topics × {settings.kafka_partitions} partitions"
        )

    await asyncio.gather(database(), broker())
    ports.save()

    extra = {"FIELDOPS_LOG_JSON": os.environ.get("FIELDOPS_LOG_JSON", "false")}  # a person reads it
    if settings.jwt_secret is not None:
        extra["FIELDOPS_JWT_SECRET"] = settings.jwt_secret.get_secret_value()
    env = service_env(
        database_url=stack.database_url,
        bootstrap=stack.bootstrap,
        topic_prefix=settings.topic_prefix,
        partitions=settings.kafka_partitions,
        extra=extra,
    )
    if migrate:
        with _timed(stack, "migrations"):
            await run_migrations(env, argv=options.migrate_command())
        console.print(f"[green]✓[/] migrations  ({stack.timings['migrations']:.1f} s)")
    if not services:
        return

    stack.supervisor = Supervisor(
        console=console, log_dir=logs, name_width=max(map(len, service_ports))
    )
    with _timed(stack, "services"):
        await start_services(stack.supervisor, env, service_ports, command=options.service_command)
        await wait_ready(
            stack.supervisor,
            {s: f"http://{LOOPBACK}:{service_ports[s]}/readyz" for s in SERVICES},
            timeout=options.ready_timeout,
        )


def _check_free(service_ports: Mapping[str, int]) -> None:
    # Otherwise another process answering /readyz on that port would pass for our service.
    taken = [f"{s} :{p}{_holder(p)}" for s, p in service_ports.items() if not port_is_free(p)]
    if taken:
        raise UpFailed(f"service ports in use: {', '.join(taken)}. Stop whatever holds them first.")


def _holder(port: int) -> str:
    with contextlib.suppress(psutil.Error):
        for conn in psutil.net_connections("tcp4"):
            if (
                conn.laddr
                and conn.laddr.port == port
                and conn.status == psutil.CONN_LISTEN
                and conn.pid
            ):
                process = psutil.Process(conn.pid)
                return f" (pid {conn.pid}: {' '.join(process.cmdline())[:120]})"
    return ""


def _given(name: str) -> bool:
    return bool(os.environ.get(name) or os.environ.get(f"FIELDOPS_{name}"))


async def _welcome(
    stack: Stack,
    console: Console,
    *,
    services: bool,
    service_ports: Mapping[str, int],
    state_dir: Path,
) -> None:
    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    table.add_column(overflow="fold")
    if services:
        for service in SERVICES:
            base = f"http://{LOOPBACK}:{service_ports[service]}"
            table.add_row(service, base, f"{base}/docs")
    table.add_row("database", stack.database_url)
    table.add_row("kafka", stack.bootstrap)
    assert stack.settings is not None  # set by _start, before anything can be welcomed
    if not services:
        own_secret = not os.environ.get("FIELDOPS_JWT_SECRET") and not stack.settings.jwt_jwks_url
        text = run_a_service_commands(
            stack.database_url,
            stack.bootstrap,
            secret_file=state_dir / SECRET_FILE if own_secret else None,
        )
    else:
        # Before the panel: the services log the demo's requests, and those lines would split the commands.
        text = await _try_it(stack.settings, service_ports)
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in stack.timings.items() if k != "total")
    console.print(
        Panel(table, title=f"fieldops is up in {stack.timings['total']:.1f} s", subtitle=steps)
    )
    # Only shell below the panel: a newcomer pastes all of it, so every line runs as it is.
    console.print(text, soft_wrap=True, highlight=False, markup=False)


def run_a_service_commands(database_url: str, bootstrap: str, *, secret_file: Path | None) -> str:
    # The secret is read where it is kept rather than printed: the console may end up in a log.
    secret = (
        ""
        if secret_file is None
        else f' FIELDOPS_JWT_SECRET="$(cat {shlex.quote(str(secret_file))})"'
    )
    export = (
        f"export FIELDOPS_DATABASE_URL={shlex.quote(database_url)} "
        f"FIELDOPS_KAFKA_BOOTSTRAP_SERVERS={shlex.quote(bootstrap)}{secret}"
    )
    return (
        f"# Run a service against this stack (in another terminal, from the repository):\n{export}\n"
        ".venv/bin/fieldops serve intake"
    )


async def _try_it(settings: Settings, service_ports: Mapping[str, int]) -> str:
    """Commands that create a ticket and follow it, with a real customer id and tokens that work."""
    urls = {service: f"http://{LOOPBACK}:{port}" for service, port in service_ports.items()}
    customer_id, note = await _seed_demo(settings, urls)
    return try_it_commands(
        urls,
        customer_id=customer_id,
        note=note,
        writer=issue_dev_token(settings, "demo-call-centre", ["tickets:write", "tickets:read"]),
        reader=issue_dev_token(settings, "demo-ops", READ_SCOPES),
    )


async def _seed_demo(settings: Settings, urls: Mapping[str, str]) -> tuple[str, str | None]:
    """The demo customer's id, and what went wrong when there is none."""
    admin = {"Authorization": f"Bearer {issue_dev_token(settings, 'fieldops-up', ['admin'])}"}
    try:
        async with httpx.AsyncClient(timeout=10.0, headers=admin) as http:
            # The same keys every run: a second `up` finds the first one's customer and engineer.
            response = await http.post(
                f"{urls['intake']}/v1/customers",
                json={"name": "Demo Customer"},
                headers={"Idempotency-Key": DEMO_CUSTOMER_KEY},
            )
            response.raise_for_status()
            customer_id = str(response.json()["id"])
            # Without an engineer the demo ticket could only be reported unassignable.
            engineer = await http.post(
                f"{urls['dispatch']}/v1/engineers",
                # The mobile pool covers every region; room for every ticket a newcomer tries.
                json={
                    "name": "Demo Engineer",
                    "skills": DEMO_ENGINEER_SKILLS,
                    "team": "mobile_pool",
                    "capacity": 100,
                },
                headers={"Idempotency-Key": DEMO_ENGINEER_KEY},
            )
            engineer.raise_for_status()
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        return "<customer id>", f"could not create the demo customer and engineer ({exc!r})"
    return customer_id, None


def try_it_commands(
    urls: Mapping[str, str], *, customer_id: str, writer: str, reader: str, note: str | None = None
) -> str:
    """The banner's shell: each line pastes into bash and runs as printed (tests run them)."""
    ticket = {
        "customer_id": customer_id,
        "summary": "Core switch down",
        "description": "The core switch in building A stopped forwarding; all floors are offline.",
        "channel": "phone",
        "category": "network",
        "impact": "outage",
    }
    lines = [""]
    if note:
        lines += [f"# {line}" for line in note.splitlines()] + [
            "# put a customer id in the ticket below"
        ]
    create = (
        f"curl -sS --fail-with-body -X POST {shlex.quote(urls['intake'] + '/v1/tickets')} "
        f"-H {shlex.quote('Authorization: Bearer ' + writer)} -H 'Content-Type: application/json' "
        f"-H {shlex.quote(f'Idempotency-Key: {uuid.uuid4()}')} -d {shlex.quote(json.dumps(ticket))}"
    )
    lines += [
        "# Create a ticket (the answer is printed; its id is kept in TICKET_ID):",
        f'TICKET=$({create}); echo "$TICKET"',
        'TICKET_ID=$(echo "$TICKET" | python3 -c \'import json, sys; print(json.load(sys.stdin)["id"])\')',
        "",
        "# Follow it with a read-only token:",
        f"TOKEN={shlex.quote(reader)}",
    ]
    for what, service, path in FOLLOW_UP:
        url = urls[service] + path.format(ticket_id="$TICKET_ID")
        lines.append(
            f'curl -sS --fail-with-body -w \'\\n\' "{url}" -H "Authorization: Bearer $TOKEN"   # {what}'
        )
    lines += ["", "# Logs follow; Ctrl-C stops everything (data is kept in the state dir)."]
    return "\n".join(lines)


@contextlib.contextmanager
def _timed(stack: Stack, step: str) -> Iterator[None]:
    began = time.monotonic()
    try:
        yield
    finally:
        stack.timings[step] = time.monotonic() - began


class _Ports:
    """Ports chosen by an earlier run, reused when free so that URLs stay the same."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.known: dict[str, Any] = {}
        with contextlib.suppress(OSError, ValueError):
            self.known = dict(json.loads(path.read_text()))

    def reuse(self, name: str, preferred: int | None = None) -> int:
        for candidate in (self.known.get(name), preferred):
            if isinstance(candidate, int) and port_is_free(candidate):
                return candidate
        return free_port()

    def remember(self, name: str, port: int) -> None:
        self.known[name] = port

    def save(self) -> None:
        self.path.write_text(json.dumps(self.known, indent=2) + "\n")
