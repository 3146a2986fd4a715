"""kill -9 of a service mid-burst: the supervisor restarts it and nothing is lost or doubled."""

from __future__ import annotations

import asyncio

import pytest

from tests.faults.conftest import Rig
from tests.support.callcentre import Burst, Ledger

pytestmark = pytest.mark.faults


async def test_each_service_killed_mid_burst_is_restarted_and_the_system_converges(rig: Rig):
    stack = rig.stack
    customer_id = await rig.fresh()
    ledger = Ledger()
    for victim in ("dispatch", "escalation", "intake"):
        burst = Burst(stack, customer_id, ledger, count=300, clients=16, pace_s=0.2)
        running = asyncio.create_task(burst.run())
        await burst.reached(100)
        starts = stack.kill(victim)
        await stack.supervisor.wait_for_start(victim, after=starts, timeout=15)
        await stack.wait_ready([victim], timeout=45)
        await asyncio.wait_for(running, 120)
        assert burst.done == 300, victim
    if not ledger.retried:
        pytest.fail(
            "intake's crash went unnoticed by the clients: the kill came too late to test retries"
        )
    assert len(ledger.accepted) == 900
    await rig.reconcile(ledger, customer_id)
