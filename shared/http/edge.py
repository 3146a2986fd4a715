"""The ASGI edge every request crosses before routing.

One pure-ASGI middleware instead of several `BaseHTTPMiddleware`s: each of those
costs a task and a copy per request, which on two cores is throughput we need.
It enforces the body limit (413) and JSON content type (415) before a byte is
parsed, starts or continues the trace, and records the request's metrics.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.problems import problem_response
from shared.observability import new_trace_id, trace_id_from_traceparent, trace_id_var

if TYPE_CHECKING:
    from shared.metrics import Metrics

_BODY_METHODS = {b"POST", b"PUT", b"PATCH"}


class BodyTooLarge(HTTPException):
    # An HTTPException because FastAPI reads the body inside a `except Exception`
    # that turns anything else into "400 There was an error parsing the body";
    # HTTPExceptions it re-raises, and the problem handlers answer 413.
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the body exceeds {limit} bytes")


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, metrics: Metrics) -> None:
        self.app = app
        self.max_body = max_body_bytes
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

        async def send_with_trace(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder[0] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-trace-id", trace_id.encode())]
            await send(message)

        try:
            rejection = self._reject(method.encode(), headers)
            if rejection is not None:
                await rejection(scope, receive, send_with_trace)
                return
            await self.app(scope, self._limited(receive), send_with_trace)
        except BodyTooLarge:
            await self._too_large()(scope, receive, send_with_trace)
        finally:
            trace_id_var.reset(token)
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            self.metrics.http_requests.labels(method, path, str(status_holder[0])).inc()
            self.metrics.http_latency.labels(method, path).observe(time.perf_counter() - started)

    def _too_large(self) -> JSONResponse:
        return problem_response(
            413, "payload-too-large", "Content Too Large", f"the body exceeds {self.max_body} bytes"
        )

    def _reject(self, method: bytes, headers: dict[bytes, bytes]) -> JSONResponse | None:
        if method not in _BODY_METHODS:
            return None
        length = headers.get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                return problem_response(
                    400, "bad-request", "Bad Request", "Content-Length is not a number"
                )
            if declared > self.max_body:
                return self._too_large()
            if declared == 0:
                return None
        elif b"transfer-encoding" not in headers:
            return None
        media_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if media_type != b"application/json" and not media_type.endswith(b"+json"):
            return problem_response(
                415,
                "unsupported-media-type",
                "Unsupported Media Type",
                "send the body as application/json",
            )
        return None

    def _limited(self, receive: Receive) -> Receive:
        # Content-Length can be absent (chunked) or lie: count what actually arrives.
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        return limited_receive
