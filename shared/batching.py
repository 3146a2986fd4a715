"""Group commit: concurrent requests share one transaction.

On two cores a ticket's own SQL is cheap; what costs is the per-transaction
overhead (round trips, BEGIN/COMMIT, a WAL flush each). While one batch is in
flight the next requests queue up, and the next batch takes them all, so the
batch size follows the load by itself: one request alone waits for nothing,
thirty-two at once share one commit. A request's answer is released only after
its batch committed, so a 2xx still means committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")

BatchFn = Callable[[list[In]], Awaitable[list["Out | BaseException"]]]


class GroupCommit(Generic[In, Out]):
    def __init__(self, run_batch: BatchFn, *, max_batch: int = 64, workers: int = 2) -> None:
        self._run_batch = run_batch
        self._max_batch = max_batch
        self._queue: asyncio.Queue[tuple[In, asyncio.Future[Out]]] = asyncio.Queue()
        self._workers = workers
        self._tasks: list[asyncio.Task[None]] = []

    async def submit(self, item: In) -> Out:
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._work(), name=f"group-commit-{i}")
                for i in range(self._workers)
            ]
        future: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((item, future))
        # shield: a client that hangs up does not cancel its batch-mates' transaction.
        return await asyncio.shield(future)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def _work(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                results = await self._run_batch([item for item, _ in batch])
            except Exception as exc:  # the whole batch failed: every request hears why
                results = [exc] * len(batch)
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, BaseException):
                    future.set_exception(result)
                else:
                    future.set_result(result)
