"""Commands and how a batch of them runs in one unit of work; no HTTP here.

A command is a frozen dataclass (`ResolveTicket(ticket_id, report, by)`): what a route,
a timer or an event handler asks for. Its handler is glue run inside a unit of work that
it never commits: load, decide with a pure rule, save, `uow.publish(...)` the events,
and return what the caller should see (or raise a named `DomainError`).

Two shapes of handler feed the command endpoint (`shared.http.commands`):

    HandleOne   async (command, uow) -> result        one command; each gets a savepoint
    HandleMany  async (uow, [Submission]) -> [result | DomainError]
                                                      a whole group-committed batch at once,
                                                      e.g. one INSERT ... unnest for many creates

A result is what the endpoint renders; a `(row, events)` pair (`Created`) also works,
and its events are published with the trace of the request that caused them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from shared.db import UnitOfWork
from shared.errors import DomainError
from shared.events.base import Event
from shared.observability import trace_id_var

C = TypeVar("C")

# What a create handler returns: the new row and the events it causes.
Created = tuple[dict[str, Any], list[Event]]


@dataclass(frozen=True, slots=True)
class Submission(Generic[C]):
    """One command as submitted, with who sent it and the trace it was caused in."""

    command: C
    principal: str
    key: str | None = None  # the Idempotency-Key as scoped by the endpoint, if any
    fingerprint: str = ""
    trace_id: str | None = None


HandleOne = Callable[[C, UnitOfWork], Awaitable[Any]]
HandleMany = Callable[[UnitOfWork, list[Submission[Any]]], Awaitable[list[Any]]]


def each_in_a_savepoint(handle_one: HandleOne[Any]) -> HandleMany:
    """A batch handler from a single-command one: a savepoint each, so a refusal spares the rest.

    A refused command leaves nothing behind: its savepoint rolls back, and the events it
    published and the long-poll keys it marked before raising are dropped.
    """

    async def handle_many(uow: UnitOfWork, submissions: list[Submission[Any]]) -> list[Any]:
        results: list[Any] = []
        for submission in submissions:
            published, changed = len(uow.events), set(uow.changed_keys)
            token = trace_id_var.set(submission.trace_id)  # uow.publish takes this request's trace
            try:
                async with uow.conn.transaction():
                    results.append(await handle_one(submission.command, uow))
            except DomainError as refused:
                del uow.events[published:]
                uow.changed_keys = changed
                results.append(refused)
            finally:
                trace_id_var.reset(token)
        return results

    return handle_many


def one_at_a_time(create_one: Callable[[UnitOfWork, Any], Awaitable[Created]]) -> HandleMany:
    """The creates' older single-handler shape, `(uow, body) -> (row, events)`, as a batch."""

    async def handle_one(command: Any, uow: UnitOfWork) -> Created:
        return await create_one(uow, command)

    return each_in_a_savepoint(handle_one)


async def run_command(handle_one: HandleOne[C], command: C, uow: UnitOfWork) -> Any:
    """Issue a command from a timer or an event handler: the same handler a route runs.

    The caller owns the unit of work (and commits it); a `(row, events)` result has its
    events published here, as the endpoint would.
    """
    result = await handle_one(command, uow)
    if is_created(result):
        row, events = result
        uow.publish(*events)
        return row
    return result


def is_created(result: Any) -> bool:
    return (
        isinstance(result, tuple)
        and len(result) == 2
        and isinstance(result[1], list)
        and all(isinstance(e, Event) for e in result[1])
    )
