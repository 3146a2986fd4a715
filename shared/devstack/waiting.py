"""Bounded waiting: every wait in the devstack has a deadline and backs off while it polls."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class StartupTimeout(TimeoutError):
    """Something did not become ready in time; the message says what and why."""


async def wait_until(
    check: Callable[[], Awaitable[bool]],
    *,
    timeout: float,
    what: str,
    first_delay: float = 0.02,
    max_delay: float = 0.5,
    alive: Callable[[], bool] | None = None,
    describe_failure: Callable[[], str] | None = None,
) -> float:
    """Poll `check` until it returns True; return the seconds it took.

    `check` may raise: that counts as "not yet", and the last error ends up in the message.
    `alive` lets a caller stop waiting at once when the process it waits for has died.
    """
    started = time.monotonic()
    deadline = started + timeout
    delay = first_delay
    last_error: BaseException | None = None
    while True:
        try:
            if await check():
                return time.monotonic() - started
        except Exception as exc:  # noqa: BLE001 - a starting server fails in many ways
            last_error = exc
        if alive is not None and not alive():
            detail = describe_failure() if describe_failure else ""
            raise StartupTimeout(f"{what}: the process exited while starting. {detail}".strip())
        now = time.monotonic()
        if now >= deadline:
            reason = f" (last error: {last_error!r})" if last_error else ""
            detail = describe_failure() if describe_failure else ""
            raise StartupTimeout(
                f"{what}: not ready after {timeout:.0f} s{reason}. {detail}".strip()
            )
        await asyncio.sleep(min(delay, deadline - now))
        delay = min(delay * 2, max_delay)
