"""The ASGI edge every request crosses before routing.

One pure-ASGI middleware instead of several `BaseHTTPMiddleware`s: each of those
costs a task and a copy per request, which on two cores is throughput we need.
It enforces the body limit (413) and JSON content type (415) before a byte is
parsed, starts or continues the trace, adds the headers every answer carries,
and records the request's metrics.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.problems import BodyTooLarge, problem_response, too_large
from shared.observability import new_trace_id, trace_id_from_traceparent, trace_id_var

if TYPE_CHECKING:
    from shared.metrics import Metrics

__all__ = ["BodyTooLarge", "EdgeMiddleware", "cors_options"]

_BODY_METHODS = {b"POST", b"PUT", b"PATCH"}
# Answers carry no cache hint of their own: tokens, tickets and customers must not
# be kept by a shared cache or a browser's disk. ETag/If-None-Match still works:
# no-store forbids keeping the answer, not revalidating it.
_SECURITY_HEADERS = [(b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]
# A body the app did not read is read and dropped before answering, up to this many
# times the limit and this long; past either the connection is closed with it unread.
DRAIN_FACTOR = 8
DRAIN_SECONDS = 10.0


def cors_options(origins: list[str]) -> dict[str, Any]:
    """CORSMiddleware's arguments: what a page on one of `origins` may send and read."""
    return {
        "allow_origins": origins,
        "allow_methods": ["GET", "POST", "PUT", "PATCH", "DELETE"],
        "allow_headers": ["Authorization", "Content-Type", "Idempotency-Key", "If-None-Match"],
        "expose_headers": ["ETag", "Location", "X-Trace-Id", "Idempotent-Replayed", "Retry-After"],
    }


class _Body:
    """The request body as the app reads it: counted against the limit, drained if left unread.

    Why drain: a server that answers early and closes with body bytes still unread
    makes the kernel reset the connection, and a client still writing its body
    (urllib, most HTTP libraries but curl) gets ECONNRESET instead of the answer.
    """

    def __init__(
        self, receive: Receive, headers: dict[bytes, bytes], limit: int, declared: int | None
    ) -> None:
        self._receive = receive
        self.limit = limit
        self.declared = declared
        self.seen = 0
        self.started = False
        self.pending = bool(declared) or (declared is None and b"transfer-encoding" in headers)
        # A client waiting for `100 Continue` has not sent its body: reading it would ask for it.
        self.expects_continue = headers.get(b"expect", b"").lower() == b"100-continue"

    async def receive(self) -> Message:
        message = await self._receive()
        self._count(message)
        if self.seen > self.limit:
            raise BodyTooLarge(self.limit)
        return message

    def _count(self, message: Message) -> None:
        self.started = True
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            self.pending = message.get("more_body", False)
        else:  # http.disconnect: nothing more will come
            self.pending = False

    async def drain(self, bound: int) -> bool:
        """Read and drop the rest of the body, within the bounds; True when none is left."""
        if not self.pending or (self.expects_continue and not self.started):
            return not self.pending
        if self.declared is not None and self.declared > bound:
            return False
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DRAIN_SECONDS):
                while self.pending and self.seen <= bound:
                    self._count(await self._receive())
        return not self.pending


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, metrics: Metrics) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.drain_bound = max_body_bytes * DRAIN_FACTOR
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope["headers"])
        trace_id = (
            trace_id_from_traceparent(headers.get(b"traceparent", b"").decode("latin-1"))
            or new_trace_id()
        )
        token = trace_id_var.set(trace_id)
        status_holder = [500]
        method = scope["method"]
        declared, rejection = self._check(method.encode(), headers, scope["path"])
        body = _Body(receive, headers, self.max_body, declared)

        async def send_at_edge(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder[0] = message["status"]
                extra = [(b"x-trace-id", trace_id.encode())]
                drained = await body.drain(self.drain_bound)
                if not drained and message["status"] != 413:  # a 413 says so itself
                    extra.append((b"connection", b"close"))
                given = {name.lower() for name, _ in message.get("headers", [])}
                extra.extend(header for header in _SECURITY_HEADERS if header[0] not in given)
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            if rejection is not None:
                await rejection(scope, receive, send_at_edge)
                return
            await self.app(scope, body.receive, send_at_edge)
        except BodyTooLarge:
            # Only where no problem handler answered (a route that reads the body itself).
            await too_large(self.max_body, scope["path"])(scope, receive, send_at_edge)
        finally:
            trace_id_var.reset(token)
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            self.metrics.http_requests.labels(method, path, str(status_holder[0])).inc()
            self.metrics.http_latency.labels(method, path).observe(time.perf_counter() - started)

    def _check(
        self, method: bytes, headers: dict[bytes, bytes], path: str
    ) -> tuple[int | None, JSONResponse | None]:
        """The declared body length, and the answer when the request is refused before routing."""
        length = headers.get(b"content-length")
        declared = None
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                return None, problem_response(
                    400,
                    "bad-request",
                    "Bad Request",
                    "Content-Length is not a number",
                    instance=path,
                )
        if method not in _BODY_METHODS:
            return declared, None
        if declared is not None:
            if declared > self.max_body:
                return declared, too_large(self.max_body, path)
            if declared == 0:
                return declared, None
        elif b"transfer-encoding" not in headers:
            return declared, None
        media_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if media_type != b"application/json" and not media_type.endswith(b"+json"):
            return declared, problem_response(
                415,
                "unsupported-media-type",
                "Unsupported Media Type",
                "send the body as application/json",
                instance=path,
            )
        return declared, None
