"""The database link cut, or the database restarted, mid-burst: 503s meanwhile, never a 500 or a false 2xx."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from shared.devstack.postgres import EmbeddedPostgres, create_fresh_database, start_postgres
from tests.faults.conftest import MakeStack, Rig
from tests.support.callcentre import Burst, Ledger, new_customer
from tests.support.reconcile import reconcile
from tests.support.stack import ServiceStack, eventually

pytestmark = pytest.mark.faults


async def readiness(stack: ServiceStack, service: str = "intake") -> tuple[int, dict]:
    try:
        async with httpx.AsyncClient(timeout=5.0) as http:
            response = await http.get(f"{stack.url(service)}/readyz")
        return response.status_code, response.json()
    except httpx.HTTPError as exc:
        return 0, {"error": repr(exc)}


async def outage_seen(stack: ServiceStack) -> bool:
    status, body = await readiness(stack)
    return status == 503 and body["checks"]["database"] is False


async def recovered(stack: ServiceStack) -> bool:
    status, _ = await readiness(stack)
    return status == 200


@pytest.mark.parametrize("outage", ["refuse", "blackhole"])
async def test_a_database_outage_mid_burst_answers_503_and_recovers_by_itself(
    outage: str, rig: Rig
):
    stack, database_proxy = rig.stack, rig.database_proxy
    customer_id = await rig.fresh()
    ledger = Ledger()
    burst = Burst(stack, customer_id, ledger, count=300, clients=16, pace_s=0.1)
    running = asyncio.create_task(burst.run())
    await burst.reached(100)
    database_proxy.cut()
    await (database_proxy.refuse() if outage == "refuse" else database_proxy.blackhole())
    await eventually(lambda: outage_seen(stack), timeout=15, interval=0.2)
    await asyncio.sleep(3)
    await database_proxy.restore()
    await eventually(lambda: recovered(stack), timeout=30, interval=0.2)
    await asyncio.wait_for(running, 120)
    assert ledger.outcomes["503"] > 0, ledger.outcomes  # the clients did see the outage
    assert len(ledger.accepted) == 300
    await rig.reconcile(ledger, customer_id)


@pytest.fixture
async def own_postgres(tmp_path: Path) -> AsyncIterator[EmbeddedPostgres]:
    if os.environ.get("FIELDOPS_TEST_DATABASE_URL"):
        pytest.skip(
            "restarts an embedded PostgreSQL; FIELDOPS_TEST_DATABASE_URL names a server we must not kill"
        )
    # Not FAST_UNSAFE: with synchronous_commit=off a kill -9 of the server loses commits it had
    # acknowledged (WAL still in shared memory) - measured here: 8 of 300 answered tickets gone, and
    # events of vanished tickets consumed. With it on, each commit's WAL is in the kernel before the
    # answer, which survives a process crash; fsync stays off because the OS does not crash here.
    server = await start_postgres(
        tmp_path / "pgdata", settings={"fsync": "off", "full_page_writes": "off"}
    )
    try:
        yield server
    finally:
        server.stop()


async def test_the_embedded_database_killed_and_restarted_mid_burst_answers_503_and_recovers(
    own_postgres: EmbeddedPostgres, make_stack: MakeStack, broker: str
):
    database_url = await create_fresh_database(own_postgres.server_url)
    stack = await make_stack(database_url=database_url, bootstrap=broker)
    customer_id = await new_customer(stack)
    ledger = Ledger()
    burst = Burst(stack, customer_id, ledger, count=300, clients=16, pace_s=0.1)
    running = asyncio.create_task(burst.run())
    await burst.reached(100)
    own_postgres.kill()
    await eventually(lambda: outage_seen(stack), timeout=15, interval=0.2)
    await asyncio.sleep(2)
    await own_postgres.restart()
    await eventually(lambda: recovered(stack), timeout=30, interval=0.2)
    await asyncio.wait_for(running, 120)
    assert ledger.outcomes["503"] > 0, ledger.outcomes
    assert len(ledger.accepted) == 300
    await reconcile(stack, ledger, customer_id)
