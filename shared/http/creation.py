"""POSTs that create: idempotent, group-committed, answered only after commit.

Every creating endpoint is declared once as a `CreateEndpoint`: a batch function
that creates many things in one unit of work (each result either the new row and
the events it causes, or the named domain error that refused it), how to render
the row, and where the new thing lives. The endpoint then gets, the same way
everywhere: `Idempotency-Key` claims and replays, a 422 for a reused key with
another body, group commit of concurrent requests, and the events in the outbox
in the same transaction as the rows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from shared.batching import GroupCommit
from shared.db import UnitOfWork
from shared.errors import DomainError
from shared.events.base import Event
from shared.http.idempotency import (
    StoredAnswer,
    claim_many,
    release_many,
    remember_many,
    request_hash,
    validate_key,
)
from shared.http.problems import Problem
from shared.observability import trace_id_var

if TYPE_CHECKING:
    from shared.service import Runtime

Command = TypeVar("Command", bound=BaseModel)
Created = tuple[dict[str, Any], list[Event]]


@dataclass(frozen=True, slots=True)
class CreateRequest(Generic[Command]):
    command: Command
    principal: str
    key: str | None
    fingerprint: str
    trace_id: str | None


CreateMany = Callable[
    [UnitOfWork, list[CreateRequest[Any]]], Awaitable[list["Created | DomainError"]]
]


@dataclass(frozen=True, slots=True)
class Answer:
    status_code: int
    body: Any
    replayed: bool = False


def one_at_a_time(create_one: Callable[[UnitOfWork, Any], Awaitable[Created]]) -> CreateMany:
    """A batch function from a single-create one: a savepoint each, so one refusal spares the rest."""

    async def create_many(
        uow: UnitOfWork, requests: list[CreateRequest[Any]]
    ) -> list[Created | DomainError]:
        results: list[Created | DomainError] = []
        for request in requests:
            try:
                async with uow.conn.transaction():
                    results.append(await create_one(uow, request.command))
            except DomainError as refused:
                results.append(refused)
        return results

    return create_many


class CreateEndpoint(Generic[Command]):
    def __init__(
        self,
        name: str,
        create_many: CreateMany,
        render: Callable[[dict[str, Any]], BaseModel],
        location: Callable[[Any], str] | None = None,
        *,
        max_batch: int = 64,
    ) -> None:
        self.name = name
        self.create_many = create_many
        self.render = render
        self.location = location
        self.max_batch = max_batch

    async def __call__(
        self,
        runtime: Runtime,
        request: Request,
        *,
        principal: str,
        key: str | None,
        body: Command,
    ) -> JSONResponse:
        create = CreateRequest(
            command=body,
            principal=principal,
            key=validate_key(key) if key is not None else None,
            fingerprint=request_hash(
                request.method, request.url.path, body.model_dump(mode="json")
            ),
            trace_id=trace_id_var.get(),
        )
        batcher = runtime.resource(f"create:{self.name}", self._batcher)
        answer = await batcher.submit(create)
        headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
        if self.location and 200 <= answer.status_code < 300:
            headers["Location"] = self.location(answer.body)
        return JSONResponse(answer.body, status_code=answer.status_code, headers=headers)

    def _batcher(self, runtime: Runtime) -> GroupCommit[CreateRequest[Command], Answer]:
        async def run(requests: list[CreateRequest[Command]]) -> list[Answer | BaseException]:
            return await self._run_batch(runtime, requests)

        return GroupCommit(run, max_batch=self.max_batch)

    async def _run_batch(
        self, runtime: Runtime, requests: list[CreateRequest[Command]]
    ) -> list[Answer | BaseException]:
        # The same key twice in one batch: the first goes now, the repeat in a batch
        # of its own after this one commits, where it finds the first's answer.
        seen: set[tuple[str, str]] = set()
        now, later = [], []
        for index, req in enumerate(requests):
            ident = (req.principal, req.key) if req.key is not None else None
            (later if ident in seen else now).append(index)
            if ident is not None:
                seen.add(ident)
        results: list[Answer | BaseException | None] = [None] * len(requests)
        await self._create(runtime, [(i, requests[i]) for i in now], results)
        for i in later:
            await self._create(runtime, [(i, requests[i])], results)
        return results  # type: ignore[return-value]

    async def _create(
        self,
        runtime: Runtime,
        batch: list[tuple[int, CreateRequest[Command]]],
        results: list[Answer | BaseException | None],
    ) -> None:
        schema = runtime.settings.service
        async with runtime.uow() as uow:
            claims = await claim_many(
                uow.conn,
                schema,
                [(r.principal, r.key, r.fingerprint) for _, r in batch if r.key is not None],
            )
            to_create = []
            for index, req in batch:
                prior = claims.get((req.principal, req.key)) if req.key is not None else None
                if isinstance(prior, StoredAnswer):
                    results[index] = Answer(prior.status_code, prior.body, replayed=True)
                elif isinstance(prior, Problem):
                    results[index] = prior
                else:
                    to_create.append((index, req))
            outcomes = (
                await self.create_many(uow, [req for _, req in to_create]) if to_create else []
            )
            refused, remembered = [], []
            for (index, req), outcome in zip(to_create, outcomes, strict=True):
                if isinstance(outcome, DomainError):
                    results[index] = outcome
                    if req.key is not None:
                        refused.append((req.principal, req.key))
                    continue
                row, events = outcome
                uow.publish(*events, trace_id=req.trace_id)
                body = self.render(row).model_dump(mode="json")
                results[index] = Answer(201, body)
                if req.key is not None:
                    remembered.append((req.principal, req.key, 201, body))
            await release_many(uow.conn, schema, refused)
            await remember_many(uow.conn, schema, remembered)
            await uow.commit()
