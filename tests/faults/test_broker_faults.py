"""The broker link cut, and the broker itself killed: producers and consumers carry on by themselves."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import DurableBroker
from tests.faults.conftest import MakeStack, Rig
from tests.support.callcentre import Burst, Ledger, new_customer
from tests.support.reconcile import reconcile

pytestmark = pytest.mark.faults


async def test_a_ten_second_broker_outage_mid_burst_loses_nothing_and_needs_no_restart(rig: Rig):
    stack, proxy = rig.stack, rig.broker_proxy
    customer_id = await rig.fresh()
    restarts = {s: stack.supervisor[s].restarts for s in stack.supervisor.children}
    ledger = Ledger()
    burst = Burst(stack, customer_id, ledger, count=300, clients=16, pace_s=0.3)
    running = asyncio.create_task(burst.run())
    await burst.reached(100)
    cut = proxy.cut()
    await proxy.blackhole()
    done_at_cut = burst.done
    await asyncio.sleep(10)
    await proxy.restore()
    assert (
        cut > 0 and burst.done > done_at_cut
    )  # intake kept taking calls: their events waited in the outbox
    await asyncio.wait_for(running, 120)
    assert len(ledger.accepted) == 300
    await stack.wait_ready(timeout=60)
    await rig.reconcile(ledger, customer_id)
    assert {s: stack.supervisor[s].restarts for s in stack.supervisor.children} == restarts


async def test_the_broker_killed_mid_burst_and_restarted_on_durable_storage_loses_nothing(
    durable_broker: DurableBroker, make_stack: MakeStack, fresh_database_url: str
):
    tansu = await durable_broker()
    stack = await make_stack(database_url=fresh_database_url, bootstrap=tansu.bootstrap)
    customer_id = await new_customer(stack)
    ledger = Ledger()
    burst = Burst(stack, customer_id, ledger, count=300, clients=16, pace_s=0.3)
    running = asyncio.create_task(burst.run())
    await burst.reached(100)
    tansu.kill()
    await asyncio.sleep(3)
    await tansu.restart()
    await asyncio.wait_for(running, 120)
    assert len(ledger.accepted) == 300
    await stack.wait_ready(timeout=60)
    await reconcile(stack, ledger, customer_id)
    assert all(stack.supervisor[s].restarts == 0 for s in stack.supervisor.children)
