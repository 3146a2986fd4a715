"""kill -9 of a service mid-burst: the supervisor restarts it and nothing is lost or doubled."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.callcentre import Burst, Ledger, new_customer
from tests.support.reconcile import reconcile
from tests.support.stack import ServiceStack

pytestmark = pytest.mark.faults


async def test_each_service_killed_mid_burst_is_restarted_and_the_system_converges(stack: ServiceStack):
    customer_id = await new_customer(stack)
    ledger = Ledger()
    clock = asyncio.get_running_loop().time
    t0 = clock()
    for victim in ("dispatch", "escalation", "intake"):
        burst = Burst(stack, customer_id, ledger, count=300, clients=16, pace_s=0.2)
        running = asyncio.create_task(burst.run())
        await burst.reached(100)
        print(f"{victim}: 100 done at {clock() - t0:.1f}")
        starts = stack.kill(victim)
        await stack.supervisor.wait_for_start(victim, after=starts, timeout=15)
        print(f"{victim}: restarted at {clock() - t0:.1f}")
        await stack.wait_ready([victim], timeout=45)
        print(f"{victim}: ready at {clock() - t0:.1f}")
        await asyncio.wait_for(running, 120)
        print(f"{victim}: burst done at {clock() - t0:.1f} {ledger.outcomes}")
        assert burst.done == 300, victim
        assert stack.supervisor[victim].restarts >= 1
    assert len(ledger.accepted) == 900
    await reconcile(stack, ledger, customer_id)
    print(f"reconciled at {clock() - t0:.1f}")
