"""Fault tests: the four services as processes, a fault injected mid-burst, then reconciliation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from tests.support.callcentre import new_engineer
from tests.support.stack import ServiceStack

MakeStack = Callable[..., Awaitable[ServiceStack]]


@pytest.fixture
async def make_stack(tmp_path: Path) -> AsyncIterator[MakeStack]:
    """Start the four services on a database and broker of the test's choosing, with an engineer
    who can take every ticket the bursts create; stopped after the test."""
    stacks: list[ServiceStack] = []

    async def make(*, database_url: str, bootstrap: str) -> ServiceStack:
        stack = ServiceStack(database_url=database_url, bootstrap=bootstrap, log_dir=tmp_path / f"logs-{len(stacks)}")
        stacks.append(stack)
        await stack.prepare()
        await stack.start()
        await new_engineer(stack)
        return stack

    yield make
    for stack in stacks:
        await stack.stop()


@pytest.fixture
async def stack(make_stack: MakeStack, fresh_database_url: str, broker: str) -> ServiceStack:
    """The services on a database of the test's own and the session's memory broker."""
    return await make_stack(database_url=fresh_database_url, bootstrap=broker)
