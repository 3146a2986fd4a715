"""A test moves a running service's business clock over HTTP instead of sleeping to a deadline."""

from datetime import timedelta

import pytest

from tests.support.stack import ServiceStack

pytestmark = pytest.mark.e2e


async def test_advancing_a_services_clock_moves_its_business_time_and_only_its_own(
    stack: ServiceStack,
):
    before = await stack.clock("escalation")
    others_before = await stack.clock("dispatch")
    moved = await stack.advance_clock("escalation", 6 * 3600)
    assert moved - before >= timedelta(hours=6)
    # Stays moved: later reads are from the advanced clock, not a one-off answer.
    assert await stack.clock("escalation") - before >= timedelta(hours=6)
    # Each service keeps its own clock.
    assert await stack.clock("dispatch") - others_before < timedelta(hours=1)


async def test_only_an_admin_may_move_the_clock(stack: ServiceStack):
    async with stack.client("intake", "call-centre", "tickets:write", "tickets:read") as caller:
        refused = await caller.post("/v1/ops/clock", json={"advance_s": 60})
    assert refused.status_code == 403


async def test_the_clock_only_moves_forward(stack: ServiceStack):
    async with stack.client("intake") as admin:
        backwards = await admin.post("/v1/ops/clock", json={"advance_s": -60})
    assert backwards.status_code == 422
