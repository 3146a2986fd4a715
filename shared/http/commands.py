"""One endpoint for every state-changing POST: creates, moves and any other command.

A route builds a command (a frozen dataclass, or for a create its pydantic body) from
its path parameters, body and principal, and hands it to a `CommandEndpoint`. Every
command then gets, the same way everywhere:

- `Idempotency-Key`: a retry with the same key and body gets the first answer again
  (`Idempotent-Replayed: true`); the same key with another body is a 422. The key is
  scoped to the principal, the endpoint's name and the request path (which names the
  target, `/v1/tickets/{id}/resolve`), so one key on two tickets are two commands.
- group commit: concurrent commands of one endpoint share a transaction;
- the events the handler publishes go into the outbox in that same transaction;
- the answer (2xx) is sent only after the commit.

A refused command (a `DomainError`) changes nothing and is answered by the one mapping
in `shared.http.problems`: `NotFound` 404, `Conflict` (an illegal move) 409,
`InvalidReference` and any other rule 422. A refusal is not remembered: the claim on its
key is given back, so a corrected retry under the same key can still succeed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from shared.batching import GroupCommit
from shared.commands import HandleMany, HandleOne, Submission, each_in_a_savepoint, is_created
from shared.errors import DomainError
from shared.http.idempotency import (
    StoredAnswer,
    claim_many,
    release_many,
    remember_many,
    request_hash,
    scoped_key,
    validate_key,
)
from shared.http.problems import Problem
from shared.observability import trace_id_var

if TYPE_CHECKING:
    from shared.service import Runtime

C = TypeVar("C")


@dataclass(frozen=True, slots=True)
class Answer:
    status_code: int
    body: Any
    replayed: bool = False


class CommandEndpoint(Generic[C]):
    """Declared once per route at module level; its batcher lives in the app's runtime.

    Give exactly one of `handle_one` (`async (command, uow) -> result`) or `handle_many`
    (`async (uow, [Submission]) -> [result | DomainError]`). `render` turns a result into
    the answer's body (a pydantic model or anything JSON-encodable); `location`, given the
    rendered body, is the `Location` header of a 2xx. `status_of`, given a result, picks its
    2xx where one endpoint has two (a create that found the thing already there: 200).
    """

    def __init__(
        self,
        name: str,
        handle_one: HandleOne[C] | None = None,
        *,
        handle_many: HandleMany | None = None,
        render: Callable[[Any], Any] | None = None,
        status_code: int = 200,
        location: Callable[[Any], str] | None = None,
        max_batch: int = 64,
        status_of: Callable[[Any], int] | None = None,
    ) -> None:
        if (handle_one is None) == (handle_many is None):
            raise TypeError(f"{name}: give exactly one of handle_one or handle_many")
        self.name = name
        self.handle_many: HandleMany = handle_many or each_in_a_savepoint(handle_one)  # type: ignore[arg-type]
        self.render = render
        self.status_code = status_code
        self.location = location
        self.max_batch = max_batch
        self.status_of = status_of

    async def __call__(
        self,
        runtime: Runtime,
        request: Request,
        *,
        principal: str,
        key: str | None,
        command: C,
        body: BaseModel | None = None,
    ) -> JSONResponse:
        """Run `command` and answer. `body`, the pydantic body as sent, is what a retry must
        repeat under the same key (default: the command itself)."""
        submission = Submission(
            command=command,
            principal=principal,
            key=self._scoped(request, validate_key(key)) if key is not None else None,
            fingerprint=request_hash(request.method, request.url.path, _payload(body, command)),
            trace_id=trace_id_var.get(),
        )
        answer = await self.submit(runtime, submission)
        headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
        if self.location and 200 <= answer.status_code < 300:
            headers["Location"] = self.location(answer.body)
        return JSONResponse(answer.body, status_code=answer.status_code, headers=headers)

    async def submit(self, runtime: Runtime, submission: Submission[C]) -> Answer:
        """Join the endpoint's next group commit; raises the command's DomainError or Problem."""
        batcher: GroupCommit[Submission[C], Answer] = runtime.resource(
            f"command:{self.name}", self._batcher
        )
        return await batcher.submit(submission)

    def _scoped(self, request: Request, key: str) -> str:
        return scoped_key(self.name, request.url.path, key)

    def _batcher(self, runtime: Runtime) -> GroupCommit[Submission[C], Answer]:
        async def run(submissions: list[Submission[C]]) -> list[Answer | BaseException]:
            return await self._run_batch(runtime, submissions)

        return GroupCommit(run, max_batch=self.max_batch)

    async def _run_batch(
        self, runtime: Runtime, submissions: list[Submission[C]]
    ) -> list[Answer | BaseException]:
        # The same key twice in one batch: the first goes now, the repeat in a batch
        # of its own after this one commits, where it finds the first's answer.
        seen: set[tuple[str, str]] = set()
        now: list[int] = []
        later: list[int] = []
        for index, sub in enumerate(submissions):
            ident = (sub.principal, sub.key) if sub.key is not None else None
            (later if ident in seen else now).append(index)
            if ident is not None:
                seen.add(ident)
        results: list[Answer | BaseException | None] = [None] * len(submissions)
        await self._run(runtime, [(i, submissions[i]) for i in now], results)
        for i in later:
            await self._run(runtime, [(i, submissions[i])], results)
        return results  # type: ignore[return-value]

    async def _run(
        self,
        runtime: Runtime,
        batch: list[tuple[int, Submission[C]]],
        results: list[Answer | BaseException | None],
    ) -> None:
        schema = runtime.settings.service
        async with runtime.uow() as uow:
            claims = await claim_many(
                uow.conn,
                schema,
                [(s.principal, s.key, s.fingerprint) for _, s in batch if s.key is not None],
            )
            to_run = []
            for index, sub in batch:
                prior = claims.get((sub.principal, sub.key)) if sub.key is not None else None
                if isinstance(prior, StoredAnswer):
                    results[index] = Answer(prior.status_code, prior.body, replayed=True)
                elif isinstance(prior, Problem):
                    results[index] = prior
                else:
                    to_run.append((index, sub))
            outcomes = await self.handle_many(uow, [s for _, s in to_run]) if to_run else []
            refused, remembered = [], []
            for (index, sub), outcome in zip(to_run, outcomes, strict=True):
                if isinstance(outcome, DomainError):
                    results[index] = outcome
                    if sub.key is not None:
                        refused.append((sub.principal, sub.key))
                    continue
                if is_created(outcome):
                    outcome, events = outcome
                    uow.publish(*events, trace_id=sub.trace_id)
                status = self.status_of(outcome) if self.status_of else self.status_code
                body = self._body(outcome)
                results[index] = Answer(status, body)
                if sub.key is not None:
                    remembered.append((sub.principal, sub.key, status, body))
            await release_many(uow.conn, schema, refused)
            await remember_many(uow.conn, schema, remembered)
            await uow.commit()

    def _body(self, result: Any) -> Any:
        rendered = self.render(result) if self.render is not None else result
        if isinstance(rendered, BaseModel):
            return rendered.model_dump(mode="json")
        return jsonable_encoder(rendered)


def _payload(body: BaseModel | None, command: Any) -> Any:
    if body is not None:
        return body.model_dump(mode="json")
    if isinstance(command, BaseModel):
        return command.model_dump(mode="json")
    if dataclasses.is_dataclass(command) and not isinstance(command, type):
        return jsonable_encoder(dataclasses.asdict(command))
    return jsonable_encoder(command)
