"""The business clock: the one source of "now" for every decision a service makes.

A unit of work reads it once (`uow.now`), so every row and event of one transaction
carries the same instant, and tests can freeze or move time instead of sleeping to
reach a deadline. Infrastructure timing (timeouts, back-off, token expiry) keeps
the monotonic or wall clock of its library; only business times come from here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Wall time in UTC, shifted by an offset that only non-production deployments may set."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, by: timedelta) -> datetime:
        self.offset += by
        return self.now()


class FrozenClock:
    """A clock that moves only when told: for tests of rules and handlers."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a frozen clock needs an aware datetime")
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, by: timedelta) -> datetime:
        self.at += by
        return self.at
