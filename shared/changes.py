"""In-process notice that something changed, given after the commit that changed it.

Long-polls wait on it (an engineer's phone asking "anything new for me?") instead of
hammering the database. It only knows about changes committed in this process, so a
waiter also looks again on its own every second or so: a change made by another replica
is seen a little later, never missed.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Hashable, Iterable


class ChangeFeed:
    def __init__(self) -> None:
        self._waiters: defaultdict[Hashable, set[asyncio.Event]] = defaultdict(set)

    def notify(self, keys: Iterable[Hashable]) -> None:
        for key in keys:
            for event in self._waiters.get(key, ()):
                event.set()

    async def wait(self, key: Hashable, timeout: float) -> bool:
        """True when `key` changed within `timeout` seconds."""
        event = asyncio.Event()
        self._waiters[key].add(event)
        try:
            await asyncio.wait_for(event.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self._waiters[key].discard(event)
            if not self._waiters[key]:
                del self._waiters[key]
