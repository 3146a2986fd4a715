"""The HTTP server every service runs: uvicorn on httptools and uvloop, with a bounded request head.

uvicorn's httptools protocol bounds neither the size of a request's head nor the time a
client takes to send it (`h11_max_incomplete_event_size` is for h11 only, `timeout_keep_alive`
runs only between requests), so one client can hold a connection open forever or make the
parser buffer megabytes of one header. `BoundedHttpToolsProtocol` adds:

- a head (request line and headers) over `http_max_header_bytes` is answered 431;
- a head not complete within `http_header_timeout_s` of the connection (or of its first byte,
  on a kept-alive connection), or a body not complete within `http_body_timeout_s` of its head,
  drops the connection (with a 408 if some of the request had come). The time the *app* takes
  to answer is not bounded here: a long-poll waits on the server, not on the client;
- requests the parser refuses get a problem document instead of uvicorn's `400 text/plain`.

`run` is the one way services start (`fieldops serve`), so every option lives here; with
`ops_port` set it also listens there, serving health, readiness and metrics only.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import json
import os
import socket
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, cast

import httptools
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import (
    STATUS_LINE,
    HttpToolsProtocol,
    RequestResponseCycle,
)

from shared.http.problems import PROBLEM_BASE, PROBLEM_JSON, problem_response
from shared.settings import Settings

OPS_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


@dataclass(frozen=True)
class Limits:
    max_head_bytes: int
    head_timeout_s: float
    body_timeout_s: float

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            settings.http_max_header_bytes,
            settings.http_header_timeout_s,
            settings.http_body_timeout_s,
        )


class HeadTooLarge(Exception):
    pass


def problem_bytes(status: int, slug: str, detail: str) -> bytes:
    return json.dumps(
        {
            "type": PROBLEM_BASE + slug,
            "title": HTTPStatus(status).phrase,
            "status": status,
            "detail": detail,
        }
    ).encode()


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, limits: Limits, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits
        self._reading_head = True
        self._head_started = False  # a byte of the current request has come
        self._head_bytes = 0  # of the current head, as parsed
        self._head_fed = 0  # fed while reading it, which the parser may still be buffering
        self._head_deadline: asyncio.TimerHandle | None = None
        self._body_deadline: asyncio.TimerHandle | None = None
        self._refusal: tuple[int, str, str] | None = (
            None  # due once the answers before it are written
        )

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # A connection that never sends a byte is held by nothing else in uvicorn.
        self._head_deadline = self.loop.call_later(self.limits.head_timeout_s, self._head_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadlines()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refusal is not None:
            return  # the connection ends after the answers still due; nothing more is read
        self._unset_keepalive_if_required()
        if self._reading_head:
            self._head_fed += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            # No WebSocket protocol is configured (`ws="none"`): the request already went to
            # the app as plain HTTP, which RFC 9110 allows a server to do with any Upgrade.
            return
        except httptools.HttpParserError as exc:
            if isinstance(exc.__context__, HeadTooLarge):
                self._refuse_head_too_large()
            else:
                self.logger.warning("Invalid HTTP request received: %s", exc)
                self.send_400_response(_parser_complaint(exc))
            return
        # A head that never ends is cut here, with slack: a complete one a little over the bound
        # is measured exactly when it ends, and is then read whole, so its 431 is not lost to a reset.
        if self._reading_head and self._head_fed > 2 * self.limits.max_head_bytes:
            self._refuse_head_too_large()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_started = True
        self._head_bytes = 0
        if self._head_deadline is None:  # the next request on a kept-alive connection
            self._head_deadline = self.loop.call_later(
                self.limits.head_timeout_s, self._head_timed_out
            )

    def on_url(self, url: bytes) -> None:
        self._head_bytes += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_bytes += len(name) + len(value) + 4
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self._head_bytes > self.limits.max_head_bytes:
            raise HeadTooLarge  # stops the parser; data_received answers
        self._reading_head = False
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None
        super().on_headers_complete()

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        # Armed when the app starts on the request, not when its head is parsed: a pipelined
        # request's body is not read (flow control) until the one before it is answered.
        if cycle.more_body and self._body_deadline is None:
            self._body_deadline = self.loop.call_later(
                self.limits.body_timeout_s, self._body_timed_out
            )
        super()._start_asgi_task(cycle, app)

    def on_message_complete(self) -> None:
        if self._body_deadline is not None:
            self._body_deadline.cancel()
            self._body_deadline = None
        self._reading_head = True
        self._head_started = False
        self._head_fed = 0
        super().on_message_complete()

    def on_response_complete(self) -> None:
        if self._refusal is not None and not self.pipeline:
            self.server_state.total_requests += 1
            self._write_problem_and_close(*self._refusal)
            return
        super().on_response_complete()

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, "bad-request", msg)

    def _refuse_head_too_large(self) -> None:
        self.logger.warning("Request head over %d bytes refused", self.limits.max_head_bytes)
        self._refuse(
            431,
            "headers-too-large",
            f"The request line and headers are over {self.limits.max_head_bytes} bytes.",
        )

    def _head_timed_out(self) -> None:
        self._head_deadline = None
        if self.transport.is_closing():
            return
        if not self._head_started:
            self.transport.close()  # nothing asked, nothing to answer
            return
        self._refuse(
            408,
            "request-timeout",
            f"The request line and headers did not arrive within {self.limits.head_timeout_s:g} s.",
        )

    def _body_timed_out(self) -> None:
        self._body_deadline = None
        if not self.transport.is_closing():
            self._refuse(
                408,
                "request-timeout",
                f"The request body did not arrive within {self.limits.body_timeout_s:g} s.",
            )

    def _refuse(self, status: int, slug: str, detail: str) -> None:
        """Answer with a problem document and close: now, or after the answers still due."""
        cycle = self.cycle
        if self._reading_head:
            # This request has no cycle yet: `cycle` is the one before it. While that (or one
            # queued behind it) is unanswered, anything written now would be read as its answer.
            if cycle is not None and not cycle.response_complete:
                self._refusal = (status, slug, detail)
                return
        elif cycle.response_started:
            # The app answered (or is answering) this request: nothing more can be said on it.
            self.transport.close()
            return
        else:
            # The app may be waiting on this body: from now on it reads a disconnect, and its
            # answer, if any, goes nowhere.
            cycle.disconnected = True
            cycle.message_event.set()
        self._write_problem_and_close(status, slug, detail)

    def _write_problem_and_close(self, status: int, slug: str, detail: str) -> None:
        body = problem_bytes(status, slug, detail)
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: ",
            PROBLEM_JSON.encode(),
            b"\r\n",
            b"content-length: ",
            str(len(body)).encode(),
            b"\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()

    def _cancel_deadlines(self) -> None:
        for handle in (self._head_deadline, self._body_deadline):
            if handle is not None:
                handle.cancel()
        self._head_deadline = self._body_deadline = None


def _parser_complaint(exc: httptools.HttpParserError) -> str:
    if isinstance(exc.__context__, UnicodeDecodeError):
        return "The request target is not ASCII; percent-encode other bytes."
    reason = str(exc).strip().rstrip(".")
    return (
        f"The request is not valid HTTP/1.1: {reason}."
        if reason
        else "The request is not valid HTTP/1.1."
    )


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn keyword arguments every service (and the bench's bare app) runs with."""
    protocol = functools.partial(BoundedHttpToolsProtocol, limits=Limits.of(settings))
    return {
        "loop": "uvloop",
        "http": cast(Any, protocol),  # uvicorn calls it as it would a protocol class
        "ws": "none",  # no service speaks WebSocket: an Upgrade is an ordinary request to them
        "server_header": False,
        "access_log": False,
        "log_level": "warning",
        "timeout_graceful_shutdown": 5,
    }


class OpsPortSplit:
    """Health, readiness and metrics on the ops port, everything else on the API's: each 404 on the other."""

    def __init__(self, app: ASGIApp, ops_port: int) -> None:
        self.app = app
        self.ops_port = ops_port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            server = scope.get("server") or (None, None)
            if (server[1] == self.ops_port) != (scope["path"] in OPS_PATHS):
                await problem_response(404, "not-found", "Not Found", instance=scope["path"])(
                    scope, receive, send
                )
                return
        await self.app(scope, receive, send)


def service_app() -> Any:
    """The uvicorn factory `run` gives: the service named by FIELDOPS_SERVICE, split by port if asked."""
    settings = Settings()
    module = importlib.import_module(f"services.{os.environ['FIELDOPS_SERVICE']}.app")
    app = module.create_app()
    return OpsPortSplit(app, settings.ops_port) if settings.ops_port else app


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def run(
    settings: Settings, *, workers: int = 1, app: str = "shared.http.server:service_app"
) -> None:
    """Serve `app` (a factory's import string) on the settings' port, and on the ops port if set."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        app,
        factory=True,
        host=settings.host,
        port=settings.http_port,
        workers=workers,
        **server_options(settings),
    )
    sockets = [_listen(settings.host, settings.http_port)]
    if settings.ops_port:
        sockets.append(_listen(settings.host, settings.ops_port))
    server = uvicorn.Server(config)
    try:
        if workers > 1:
            Multiprocess(config, sockets=sockets).run()
        else:
            server.run(sockets=sockets)
    except KeyboardInterrupt:
        pass
    if workers == 1 and not server.started:
        raise SystemExit(3)  # uvicorn's STARTUP_FAILURE
