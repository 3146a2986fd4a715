"""What the HTTP server itself does before the app: bounded heads, read deadlines, problem answers.

Spoken to over raw sockets, because the behaviour is about bytes that well-behaved clients
never send: heads that never end, requests that stop half way, malformed request lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest

from shared.devstack.net import LOOPBACK, free_ports
from shared.devstack.services import REPO_ROOT, service_env
from shared.settings import SERVICES, Settings
from tests.support.stack import TEST_ENV, ServiceStack, eventually

pytestmark = pytest.mark.e2e

MiB = 1024 * 1024
HEADER_TIMEOUT = float(TEST_ENV["FIELDOPS_HTTP_HEADER_TIMEOUT_S"])
BODY_TIMEOUT = float(TEST_ENV["FIELDOPS_HTTP_BODY_TIMEOUT_S"])
MAX_HEAD = Settings.model_fields["http_max_header_bytes"].default
# Scheduling on a shared two-core machine, not the server's own slack.
MARGIN = 2.5


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def problem(self) -> dict:
        assert self.headers.get("content-type") == "application/problem+json", (
            self.status,
            self.headers,
            self.body,
        )
        return json.loads(self.body)


def answers(raw: bytes) -> list[Answer]:
    """The responses in what a server wrote (each with a Content-Length, as ours always are)."""
    found = []
    while raw:
        head, _, rest = raw.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, value in (line.split(":", 1) for line in lines)
        }
        length = int(headers.get("content-length", "0"))
        found.append(Answer(int(status_line.split()[1]), headers, rest[:length]))
        raw = rest[length:]
    return found


@dataclass
class Exchange:
    written: bytes
    closed_after: float


async def exchange(port: int, request: bytes, *, wait: float) -> Exchange:
    """Send `request` and read until the server closes; fails if it has not within `wait` s."""
    reader, writer = await asyncio.open_connection(LOOPBACK, port)
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        writer.write(request)
        await writer.drain()
        try:
            written = await asyncio.wait_for(reader.read(), wait)
        except TimeoutError:
            raise AssertionError(f"the connection is still open after {wait} s") from None
        return Exchange(written, loop.time() - started)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


def only_answer(result: Exchange) -> Answer:
    found = answers(result.written)
    assert len(found) == 1, result.written
    return found[0]


async def test_ten_clients_streaming_endless_headers_are_cut_off_without_growing_intake(
    stack: ServiceStack,
):
    intake = psutil.Process(stack.supervisor["intake"].pid)
    async with httpx.AsyncClient(base_url=stack.url("intake")) as client:
        assert (await client.get("/healthz")).status_code == 200
    idle = peak = intake.memory_info().rss
    streaming = True

    async def watch() -> None:
        nonlocal peak
        while streaming:
            peak = max(peak, intake.memory_info().rss)
            await asyncio.sleep(0.02)

    async def stream_headers() -> str:
        reader, writer = await asyncio.open_connection(LOOPBACK, stack.ports["intake"])
        chunk = b"a" * (64 * 1024)
        try:
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: intake\r\nX-Fill: ")
            for _ in range(16 * MiB // len(chunk)):
                writer.write(chunk)
                await writer.drain()
            written = await asyncio.wait_for(reader.read(), HEADER_TIMEOUT + MARGIN)
        except ConnectionError:
            return "closed"  # cut off mid-stream: the answer, if any, lost to the reset
        except TimeoutError:
            return "all 16 MiB taken and the connection still open"
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
        if not written:
            return "closed"
        answer = only_answer(Exchange(written, 0))
        return f"{answer.status} {answer.problem()['type']}"

    watcher = asyncio.create_task(watch())
    try:
        outcomes = await asyncio.gather(*(stream_headers() for _ in range(10)))
    finally:
        streaming = False
        await watcher
    peak = max(peak, intake.memory_info().rss)

    assert set(outcomes) <= {"closed", "431 urn:fieldops:problem:headers-too-large"}, outcomes
    assert peak - idle < 20 * MiB, f"intake grew by {(peak - idle) / MiB:.0f} MiB"
    async with httpx.AsyncClient(base_url=stack.url("intake")) as client:
        assert (await client.get("/healthz")).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        [b"X-Fill: " + b"a" * (MAX_HEAD + 1024)],
        [b"X-Fill-%d: " % i + b"a" * 1000 for i in range(MAX_HEAD // 1000 + 2)],
    ],
    ids=["one header", "many headers"],
)
async def test_a_head_over_the_bound_is_431_problem_json_and_one_under_it_is_served(
    stack: ServiceStack, headers
):
    head = b"\r\n".join([b"GET /healthz HTTP/1.1", b"Host: intake", *headers]) + b"\r\n\r\n"
    assert len(head) > MAX_HEAD
    refused = only_answer(await exchange(stack.ports["intake"], head, wait=5))
    assert refused.status == 431 and refused.headers["connection"] == "close"
    assert refused.problem() == {
        "type": "urn:fieldops:problem:headers-too-large",
        "title": "Request Header Fields Too Large",
        "status": 431,
        "detail": f"The request line and headers are over {MAX_HEAD} bytes.",
    }
    async with httpx.AsyncClient(base_url=stack.url("intake")) as client:
        served = await client.get("/healthz", headers={"X-Fill": "a" * (MAX_HEAD - 2048)})
    assert served.status_code == 200


async def test_a_silent_or_stalled_request_is_dropped_within_its_time(stack: ServiceStack):
    port = stack.ports["intake"]
    token = stack.token("call-centre", "tickets:write").encode()
    half_body = (
        b"POST /v1/tickets HTTP/1.1\r\nHost: intake\r\nAuthorization: Bearer "
        + token
        + b"\r\nIdempotency-Key: "
        + str(uuid.uuid4()).encode()
        + b'\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"customer_id": '
    )
    silent, half_head, stalled_body = await asyncio.gather(
        exchange(port, b"", wait=HEADER_TIMEOUT + MARGIN),
        exchange(
            port,
            b"GET /healthz HTTP/1.1\r\nHost: intake\r\nX-Half: ab",
            wait=HEADER_TIMEOUT + MARGIN,
        ),
        exchange(port, half_body, wait=BODY_TIMEOUT + MARGIN),
    )

    # Nothing was asked: closed without a word, as an idle keep-alive connection is.
    assert silent.written == b"" and silent.closed_after > HEADER_TIMEOUT - 0.5
    late_head = only_answer(half_head)
    assert (
        late_head.status == 408
        and late_head.problem()["type"] == "urn:fieldops:problem:request-timeout"
    )
    assert half_head.closed_after > HEADER_TIMEOUT - 0.5
    late_body = only_answer(stalled_body)
    assert late_body.status == 408 and late_body.problem()["detail"] == (
        f"The request body did not arrive within {BODY_TIMEOUT:g} s."
    )
    assert stalled_body.closed_after > BODY_TIMEOUT - 0.5


async def test_a_long_poll_outlasts_the_read_timeouts_while_an_idle_connection_beside_it_is_dropped(
    stack: ServiceStack,
):
    async with stack.client("dispatch", "team-lead", "dispatch:admin") as lead:
        created = await lead.post(
            "/v1/engineers", json={"name": "Ama Owusu", "skills": ["storage"]}
        )
    assert created.status_code == 201, created.text
    engineer_id = created.json()["id"]
    wait = int(max(HEADER_TIMEOUT, BODY_TIMEOUT)) + 2
    async with stack.client(
        "dispatch", engineer_id, "assignments:read", timeout=wait + 10
    ) as phone:
        etag = (await phone.get("/v1/me/assignments")).headers["etag"]
        started = asyncio.get_running_loop().time()
        poll, idle = await asyncio.gather(
            phone.get("/v1/me/assignments", params={"wait": wait}, headers={"If-None-Match": etag}),
            exchange(stack.ports["dispatch"], b"", wait=HEADER_TIMEOUT + MARGIN),
        )
        held = asyncio.get_running_loop().time() - started
    assert poll.status_code == 304 and held > wait - 0.5
    assert idle.written == b"" and idle.closed_after < wait


MALFORMED = {
    "a control character in a header": b"GET /healthz HTTP/1.1\r\nHost: intake\r\nX-Note: a\x01b\r\n\r\n",
    "a raw byte in the path": b"GET /v1/tick\xffets HTTP/1.1\r\nHost: intake\r\n\r\n",
    "a Content-Length that is not a number": b"POST /v1/tickets HTTP/1.1\r\nHost: intake\r\nContent-Length: 1O\r\n\r\n",
    "two Content-Lengths that disagree": b"POST /v1/tickets HTTP/1.1\r\nHost: intake\r\n"
    b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
    "a Content-Length beside chunked encoding": b"POST /v1/tickets HTTP/1.1\r\nHost: intake\r\nContent-Length: 5\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "a malformed request line": b"GET /healthz HTTP/7.0\r\nHost: intake\r\n\r\n",
}


@pytest.mark.parametrize("request_bytes", MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_request_the_server_cannot_parse_is_400_problem_json(
    stack: ServiceStack, request_bytes
):
    answer = only_answer(await exchange(stack.ports["intake"], request_bytes, wait=5))
    assert (
        answer.status == 400
        and answer.headers["connection"] == "close"
        and "server" not in answer.headers
    )
    problem = answer.problem()
    assert (
        problem["type"] == "urn:fieldops:problem:bad-request" and problem["title"] == "Bad Request"
    )
    assert problem["status"] == 400 and problem["detail"].startswith(
        "The request is not valid HTTP/1.1: "
    )


async def test_bytes_beyond_a_content_length_are_a_bad_request_answered_after_the_real_one(
    stack: ServiceStack,
):
    # The first request is whole; what its Content-Length left over is read as a second one.
    lying = (
        b"POST /v1/tickets HTTP/1.1\r\nHost: intake\r\nContent-Type: application/json\r\n"
        b'Content-Length: 2\r\n\r\n{}, "summary": "smuggled"}\r\n\r\n'
    )
    first, second = answers((await exchange(stack.ports["intake"], lying, wait=5)).written)
    assert first.status == 401 and first.problem()["type"] == "urn:fieldops:problem:unauthorized"
    assert second.status == 400 and second.problem()["type"] == "urn:fieldops:problem:bad-request"


@pytest.mark.parametrize("service", SERVICES)
async def test_answers_name_no_server_software(stack: ServiceStack, service):
    async with httpx.AsyncClient(base_url=stack.url(service)) as anonymous:
        for response in (await anonymous.get("/healthz"), await anonymous.get("/v1/nothing-here")):
            assert "server" not in response.headers and "date" in response.headers


async def test_with_an_ops_port_health_readiness_and_metrics_move_there(
    database_url: str, broker: str, tmp_path: Path
):
    api, ops = free_ports(2)
    env = service_env(
        database_url=database_url,
        bootstrap=broker,
        topic_prefix=f"t{secrets.token_hex(4)}",
        partitions=3,
        extra={
            **TEST_ENV,
            "FIELDOPS_OPS_PORT": str(ops),
            "FIELDOPS_JWT_SECRET": secrets.token_urlsafe(48),
        },
    )
    with open(tmp_path / "intake.log", "wb") as log:  # noqa: ASYNC230 - a local file, before the loop has work
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "shared.cli",
            "serve",
            "intake",
            "--port",
            str(api),
            env=env,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    try:
        async with httpx.AsyncClient(timeout=5.0) as http:

            async def alive() -> bool:
                assert process.returncode is None, (tmp_path / "intake.log").read_text()[-3000:]
                with contextlib.suppress(httpx.HTTPError):
                    return (
                        await http.get(f"http://{LOOPBACK}:{api}/v1/tickets")
                    ).status_code == 401
                return False

            await eventually(alive, timeout=30)
            on_api = {
                path: await http.get(f"http://{LOOPBACK}:{api}{path}")
                for path in ("/healthz", "/readyz", "/metrics")
            }
            on_ops = {
                path: await http.get(f"http://{LOOPBACK}:{ops}{path}")
                for path in ("/healthz", "/readyz", "/metrics", "/v1/tickets")
            }
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            os.killpg(process.pid, signal.SIGKILL)
            await process.wait()

    for path, response in on_api.items():
        assert response.status_code == 404, path
        assert response.json()["type"] == "urn:fieldops:problem:not-found"
    assert on_ops["/healthz"].json() == {"status": "ok"}
    assert on_ops["/readyz"].status_code in (200, 503) and "checks" in on_ops["/readyz"].json()
    assert "fieldops_http_requests_total" in on_ops["/metrics"].text
    assert on_ops["/v1/tickets"].status_code == 404
