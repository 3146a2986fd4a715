"""An oversized body is answered with its 413 problem document, readable by every client.

The clients here are the standard library's: urllib sends `Connection: close` and
writes the whole body before it reads a byte of the answer, so a server that
answers early and closes with the body unread resets the connection under it
(curl and httpx happen to read the answer anyway; urllib and many others do not).
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

import pytest

from tests.support.stack import ServiceStack

pytestmark = pytest.mark.e2e

MiB = 1024 * 1024
TRIES = 20


def _read_413(request: urllib.request.Request) -> dict:
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            raise AssertionError(f"expected 413, got {answer.status}")
    except urllib.error.HTTPError as refused:
        assert refused.code == 413
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["connection"] == "close"
        return json.loads(refused.read())


def _assert_the_413(problem: dict) -> None:
    assert problem["type"] == "urn:fieldops:problem:payload-too-large"
    assert problem["title"] == "Content Too Large"
    assert problem["status"] == 413
    assert problem["detail"] == f"the body exceeds {MiB} bytes"
    assert problem["instance"] == "/v1/customers"


def _post(
    stack: ServiceStack, body: bytes | Iterator[bytes], headers: dict[str, str]
) -> urllib.request.Request:
    return urllib.request.Request(
        f"{stack.url('intake')}/v1/customers",
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {stack.token('urllib', 'admin')}",
            "Content-Type": "application/json",
            **headers,
        },
    )


def test_every_urllib_post_of_3_mib_with_content_length_reads_its_413(stack: ServiceStack):
    body = json.dumps({"name": "x" * (3 * MiB)}).encode()
    for _ in range(TRIES):
        _assert_the_413(_read_413(_post(stack, body, {"Content-Length": str(len(body))})))


def test_every_urllib_post_of_3_mib_chunked_reads_its_413(stack: ServiceStack):
    for _ in range(TRIES):
        # An iterable body without Content-Length is sent chunked.
        _assert_the_413(_read_413(_post(stack, _chunks_of_3_mib(), {})))


def test_a_body_over_the_drain_bound_is_still_refused_and_closed(stack: ServiceStack):
    """Reading 64 MiB to be polite is a gift to an attacker: the edge answers and closes at once."""
    connection = http.client.HTTPConnection("127.0.0.1", stack.ports["intake"], timeout=10)
    try:
        connection.putrequest("POST", "/v1/customers")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(64 * MiB))
        connection.endheaders(b'{"name": "')
        answer = connection.getresponse()
        assert answer.status == 413
        assert answer.getheader("connection") == "close"
        problem = json.loads(answer.read())
    finally:
        connection.close()
    _assert_the_413(problem)


def _chunks_of_3_mib() -> Iterator[bytes]:
    yield b'{"name": "'
    for _ in range(3 * 16):
        yield b"x" * 65536
    yield b'"}'


@pytest.mark.parametrize(
    ("path", "content_type", "status"),
    [("/v1/customers", "text/plain", 415), ("/v1/nowhere", "application/json", 404)],
)
def test_any_answer_given_before_the_body_is_read_is_read_too(
    stack: ServiceStack, path, content_type, status
):
    """Not only the 413: a 415 or a 404 refuses a body nobody reads, and urllib must read them as well."""
    for _ in range(TRIES):
        request = urllib.request.Request(
            f"{stack.url('intake')}{path}",
            data=_chunks_of_3_mib(),
            method="POST",
            headers={
                "Content-Type": content_type,
                "Authorization": f"Bearer {stack.token('urllib', 'admin')}",
            },
        )
        try:
            urllib.request.urlopen(request, timeout=30)
            raise AssertionError(f"expected {status}")
        except urllib.error.HTTPError as refused:
            assert refused.code == status
            assert json.loads(refused.read())["status"] == status


async def test_the_etag_long_poll_answers_are_no_store_and_nosniff(stack: ServiceStack):
    async with stack.client("dispatch", str(uuid.uuid4()), "assignments:read") as phone:
        first = await phone.get("/v1/me/assignments")
        unchanged = await phone.get(
            "/v1/me/assignments",
            params={"wait": 1},
            headers={"If-None-Match": first.headers["etag"]},
        )
    assert first.status_code == 200 and unchanged.status_code == 304
    assert unchanged.headers["etag"] == first.headers["etag"]
    for answer in (first, unchanged):
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-content-type-options"] == "nosniff"
