"""IV-7: each partner vendor's calls, counted in a moving window in this process's memory.

Per replica by design: no shared store to reach on every call, and N replicas let a vendor make
up to N times the rate. One per app (`Runtime.resource`), never module-level.
"""

from __future__ import annotations

import time

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from services.inventory.vendors.rules import retry_after_s


class VendorQuota:
    def __init__(self, rate: str) -> None:
        self.rate = parse(rate)
        # The synchronous limiter: in memory it never waits, and it costs a fifth of the
        # asyncio one's CPU per call (whose expiry pass hops to a thread for every key).
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def take(self, vendor: str) -> int | None:
        """Count one call of `vendor`'s: None when within the rate, else the whole seconds
        until its oldest counted call leaves the window."""
        if self._limiter.hit(self.rate, "vendor", vendor):
            return None
        stats = self._limiter.get_window_stats(self.rate, "vendor", vendor)
        # The window is wall-clock time (the limiter reads time.time()), not business time.
        return retry_after_s(stats.reset_time, time.time())
