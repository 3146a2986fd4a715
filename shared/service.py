"""A fieldops service: its runtime resources and the FastAPI app that owns them.

Each service declares a `ServiceSpec` (routers, the topics and event handlers it
consumes, background workers) and `create_service_app` gives it the same
platform as every other: pool, producer, outbox relay, idempotent consumer,
problem details, auth, health, readiness and metrics. Resources are created in
the lifespan, never at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

import asyncpg
from aiokafka import AIOKafkaProducer
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from shared.auth import document_scope_alternatives, require_token_verifier
from shared.bus import make_producer, start_with_retry, stop_quietly
from shared.changes import ChangeFeed
from shared.clock import Clock, SystemClock
from shared.consumer import EventConsumer, Handler
from shared.db import UnitOfWork, create_pool, ping
from shared.events.catalog import is_known, owner_of
from shared.http.clock import clock_router
from shared.http.docs import docs_router
from shared.http.edge import EdgeMiddleware, cors_options
from shared.http.problems import install_problem_handlers
from shared.metrics import Metrics
from shared.observability import configure_logging, log_fields
from shared.outbox import OutboxRelay, prune_published
from shared.settings import Settings

log = logging.getLogger(__name__)

Worker = Callable[["Runtime"], Awaitable[None]]


class DuplicateHandler(ValueError):
    """Two slices of one service claim the same event type: one of them would never run."""


# Keys are type names (str) or event classes; Any because Mapping is invariant in its key,
# and a dict literal of differently typed handlers infers as `function` values.
HandlerMap = Mapping[Any, Callable[..., Awaitable[None]]]


def handler_map(*maps: HandlerMap) -> dict[str, Handler]:
    """The slices' event handlers as one map by type name; a type claimed twice fails here.

    Keys may be event classes or their type names. A type the catalogue does not know is
    refused too: a handler for it could never run, and its owner (hence topic) is unknown.
    """
    merged: dict[str, Handler] = {}
    for handlers in maps:
        for key, handler in handlers.items():
            event_type = key if isinstance(key, str) else key.type
            if not is_known(event_type):
                raise ValueError(f"a handler for {event_type!r}, which no event contract declares")
            if event_type in merged and merged[event_type] is not handler:
                raise DuplicateHandler(
                    f"{event_type!r} is claimed by two handlers: "
                    f"{_qualname(merged[event_type])} and {_qualname(handler)}"
                )
            merged[event_type] = handler
    return merged


def _qualname(handler: Handler) -> str:
    return f"{getattr(handler, '__module__', '?')}.{getattr(handler, '__qualname__', handler)}"


@dataclass
class ServiceSpec:
    name: str
    title: str
    description: str
    routers: list[APIRouter]
    handlers: HandlerMap = field(default_factory=dict)
    workers: list[Worker] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.handlers = handler_map(self.handlers)

    def consumed_owners(self) -> list[str]:
        """The services whose topics this one reads: the owners of the types it handles."""
        return sorted({owner_of(event_type) for event_type in self.handlers})

    def topics(self, settings: Settings) -> list[str]:
        return [settings.topic(owner) for owner in self.consumed_owners()]

    def create_app(self, settings: Settings | None = None) -> FastAPI:
        """The uvicorn factory of the service (`services.<name>.app:create_app`)."""
        return create_service_app(self, settings or Settings(service=self.name))


@dataclass
class Runtime:
    settings: Settings
    metrics: Metrics
    pool: asyncpg.Pool | None = None
    producer: AIOKafkaProducer | None = None
    producer_started: asyncio.Event = field(default_factory=asyncio.Event)
    relay: OutboxRelay | None = None
    consumer: EventConsumer | None = None
    tasks: list[asyncio.Task] = field(default_factory=list)
    resources: dict[str, Any] = field(default_factory=dict)
    changes: ChangeFeed = field(default_factory=ChangeFeed)
    clock: Clock = field(default_factory=SystemClock)

    def resource(self, name: str, factory: Callable[[Runtime], Any]) -> Any:
        """A per-app object made on first use (batchers, caches): never module-level state."""
        if name not in self.resources:
            self.resources[name] = factory(self)
        return self.resources[name]

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.pool, self.settings, changes=self.changes, clock=self.clock)

    def spawn(self, loop: Callable[[], Awaitable[None]], name: str) -> None:
        self.tasks.append(asyncio.create_task(_supervised(loop, name), name=name))

    async def readiness(self) -> dict[str, bool]:
        checks = {"database": await ping(self.pool) if self.pool else False}
        checks["broker"] = await self._broker_reachable()
        if self.consumer is not None:
            checks["consumer"] = self.consumer.healthy
        if self.relay is not None:
            checks["relay"] = self.relay.last_error is None
        return checks

    async def _broker_reachable(self) -> bool:
        if self.producer is None or not self.producer_started.is_set():
            return False
        try:
            await asyncio.wait_for(self.producer.client.fetch_all_metadata(), 2.0)
            return True
        except Exception:
            return False


async def _supervised(loop: Callable[[], Awaitable[None]], name: str) -> None:
    # A background loop that dies silently is the worst failure: log it loudly and
    # start it again; readiness reports it as down meanwhile.
    backoff = 0.5
    while True:
        try:
            await loop()
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.critical(
                "background task died; restarting",
                extra=log_fields(task=name, retry_in_s=backoff),
                exc_info=True,
            )
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 10.0)


async def get_runtime(request: Request) -> Runtime:
    # async on purpose: FastAPI runs a sync dependency in a worker thread, per request.
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def _start_producer(runtime: Runtime) -> None:
    await start_with_retry(runtime.producer, what=f"{runtime.settings.service} producer")
    runtime.producer_started.set()


async def _run_relay(runtime: Runtime) -> None:
    await runtime.producer_started.wait()
    await runtime.relay.run()  # type: ignore[union-attr]


async def _prune_outbox(runtime: Runtime) -> None:
    while True:
        await asyncio.sleep(600)
        await prune_published(runtime.pool, runtime.settings.service)


class Readiness(BaseModel):
    status: str
    checks: dict[str, bool]


def _health_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="Readiness: database, broker and consumer all working",
        response_model=Readiness,
        responses={
            503: {"description": "Not ready; the body says which check failed", "model": Readiness}
        },
    )
    async def readyz(runtime: RuntimeDep) -> JSONResponse:
        checks = await runtime.readiness()
        ready = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @router.get(
        "/metrics",
        summary="Prometheus metrics",
        response_class=Response,
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    )
    async def metrics(runtime: RuntimeDep) -> Response:
        return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router


def create_service_app(spec: ServiceSpec, settings: Settings) -> FastAPI:
    metrics = Metrics()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(spec.name, settings.log_level, settings.log_json)
        require_token_verifier(settings)
        runtime = Runtime(settings=settings, metrics=metrics)
        app.state.runtime = runtime
        runtime.pool = await create_pool(settings)
        runtime.producer = make_producer(settings)
        runtime.relay = OutboxRelay(settings, runtime.producer, schema=spec.name, metrics=metrics)
        runtime.spawn(lambda: _start_producer(runtime), "producer-start")
        runtime.spawn(lambda: _run_relay(runtime), "outbox-relay")
        runtime.spawn(lambda: _prune_outbox(runtime), "outbox-prune")
        if spec.handlers:
            runtime.consumer = EventConsumer(
                settings,
                runtime.pool,
                runtime.producer,
                topics=spec.topics(settings),
                handlers=dict(spec.handlers),
                metrics=metrics,
                changes=runtime.changes,
                clock=runtime.clock,
            )
            runtime.spawn(runtime.consumer.run, "consumer")
        for worker in spec.workers:
            runtime.spawn(functools.partial(worker, runtime), worker.__name__)
        log.info("service started", extra=log_fields(port=settings.http_port))
        try:
            yield
        finally:
            for resource in runtime.resources.values():
                if hasattr(resource, "close"):
                    await resource.close()
            for task in runtime.tasks:
                task.cancel()
            await asyncio.wait(runtime.tasks, timeout=5)
            await stop_quietly(runtime.producer)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(runtime.pool.close(), 3)
            log.info("service stopped")

    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version="1.0.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    install_problem_handlers(app)
    document_scope_alternatives(app)
    app.include_router(_health_router())
    app.include_router(docs_router(spec.title, app.openapi_url or "/openapi.json"))
    if settings.clock_control:  # the settings refuse it in production
        app.include_router(clock_router())
    for router in spec.routers:
        app.include_router(router)
    app.add_middleware(EdgeMiddleware, max_body_bytes=settings.max_body_bytes, metrics=metrics)
    if settings.cors_origins:
        # Outermost, so that what the edge refuses (413, 415) reaches the page too.
        app.add_middleware(CORSMiddleware, **cors_options(settings.cors_origins))
    return app
