"""The command endpoint on real PostgreSQL: every state-changing POST is idempotent,
group-committed, written with its outbox rows in one transaction and answered after commit."""

import asyncio
import uuid
from dataclasses import dataclass
from typing import Annotated

import httpx
import pytest
from fastapi import FastAPI, Header, Request
from pydantic import BaseModel

from shared.commands import run_command
from shared.errors import Conflict, InvalidReference, NotFound
from shared.events.intake import TicketCreated
from shared.http.commands import CommandEndpoint
from shared.http.idempotency import IdempotencyKey
from shared.http.problems import install_problem_handlers
from shared.metrics import Metrics
from shared.service import Runtime


@dataclass(frozen=True, slots=True)
class CloseThing:
    thing_id: uuid.UUID
    reason: str
    by: str


class CloseBody(BaseModel):
    reason: str


class IllegalMove(Conflict):
    title = "Illegal move"


async def close_thing(command: CloseThing, uow) -> dict:
    if command.reason == "no-such-customer":
        raise InvalidReference("no customer named in reason", field="reason")
    status = await uow.conn.fetchval(
        "SELECT status FROM intake.test_things WHERE id = $1 FOR UPDATE", command.thing_id
    )
    if status is None:
        raise NotFound(f"no thing {command.thing_id}")
    # Published before the rule refuses: a refusal must drop it again.
    uow.publish(example_event(command.thing_id))
    if status != "open":
        raise IllegalMove(
            f"a {status} thing cannot be closed",
            current_status=status,
            allowed=["reopen", "archive"],
        )
    txid = await uow.conn.fetchval("SELECT txid_current()")
    await uow.conn.execute(
        "UPDATE intake.test_things SET status = 'closed', closes = closes + 1 WHERE id = $1",
        command.thing_id,
    )
    return {"id": command.thing_id, "status": "closed", "by": command.by, "txid": txid}


def example_event(thing_id: uuid.UUID) -> TicketCreated:
    return TicketCreated.model_validate({**TicketCreated.example, "ticket_id": str(thing_id)})


CLOSE = CommandEndpoint("close-thing", close_thing)


@pytest.fixture
async def things(pool):
    await pool.execute(
        "CREATE TABLE IF NOT EXISTS intake.test_things "
        "(id uuid PRIMARY KEY, status text NOT NULL, closes int NOT NULL DEFAULT 0)"
    )
    yield
    await pool.execute("DROP TABLE intake.test_things")


@pytest.fixture
async def client(settings, pool, things):
    app = FastAPI()
    install_problem_handlers(app)
    runtime = Runtime(settings=settings, metrics=Metrics(), pool=pool)
    app.state.runtime = runtime

    @app.post("/v1/things/{thing_id}/close")
    async def close(
        thing_id: uuid.UUID,
        body: CloseBody,
        request: Request,
        x_principal: Annotated[str, Header()],
        idempotency_key: IdempotencyKey = None,
    ):
        command = CloseThing(thing_id=thing_id, reason=body.reason, by=x_principal)
        return await CLOSE(
            runtime, request, principal=x_principal, key=idempotency_key, command=command, body=body
        )

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
    for resource in runtime.resources.values():
        await resource.close()


async def new_thing(pool, status: str = "open") -> uuid.UUID:
    thing_id = uuid.uuid4()
    await pool.execute(
        "INSERT INTO intake.test_things (id, status) VALUES ($1, $2)", thing_id, status
    )
    return thing_id


async def close(client, thing_id, reason="fixed", key=None, principal="centre"):
    headers = {"X-Principal": principal} | ({"Idempotency-Key": key} if key else {})
    return await client.post(
        f"/v1/things/{thing_id}/close", json={"reason": reason}, headers=headers
    )


async def outbox_rows(pool, thing_id) -> int:
    return await pool.fetchval("SELECT count(*) FROM intake.outbox WHERE key = $1", str(thing_id))


async def test_a_move_changes_state_and_writes_its_event_in_the_same_commit(client, pool):
    thing_id = await new_thing(pool)
    response = await close(client, thing_id)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "closed" and response.json()["by"] == "centre"
    assert (
        await pool.fetchval("SELECT status FROM intake.test_things WHERE id = $1", thing_id)
        == "closed"
    )
    assert await outbox_rows(pool, thing_id) == 1


async def test_a_retry_under_the_same_key_gets_the_first_answer_and_changes_nothing(client, pool):
    thing_id = await new_thing(pool)
    first = await close(client, thing_id, key="k-1")
    again = await close(client, thing_id, key="k-1")
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await pool.fetchval("SELECT closes FROM intake.test_things WHERE id = $1", thing_id) == 1
    assert await outbox_rows(pool, thing_id) == 1


async def test_the_same_key_with_another_body_is_422_and_changes_nothing(client, pool):
    thing_id = await new_thing(pool)
    await close(client, thing_id, key="k-2")
    other = await close(client, thing_id, reason="duplicate", key="k-2")
    assert other.status_code == 422
    assert other.json()["type"].endswith("idempotency-key-reused")
    assert await outbox_rows(pool, thing_id) == 1


async def test_the_same_key_on_two_targets_is_two_commands(client, pool):
    first, second = await new_thing(pool), await new_thing(pool)
    assert (await close(client, first, key="shared-key")).status_code == 200
    response = await close(client, second, key="shared-key")
    assert response.status_code == 200 and "idempotent-replayed" not in response.headers
    assert response.json()["id"] == str(second)


async def test_two_principals_may_use_the_same_key_on_one_target(client, pool):
    thing_id = await new_thing(pool)
    assert (await close(client, thing_id, key="k-3", principal="a")).status_code == 200
    # b's command is its own (not a replay of a's): the thing is closed now, so it is refused.
    assert (await close(client, thing_id, key="k-3", principal="b")).status_code == 409


async def test_an_illegal_move_is_a_409_naming_the_status_and_the_moves_allowed(client, pool):
    thing_id = await new_thing(pool, status="archived")
    response = await close(client, thing_id, key="k-4")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith(":conflict") and problem["title"] == "Illegal move"
    assert problem["current_status"] == "archived" and problem["allowed"] == ["reopen", "archive"]
    assert problem["status"] == 409 and problem["instance"] == f"/v1/things/{thing_id}/close"
    # The event it published before refusing is gone with its savepoint.
    assert await outbox_rows(pool, thing_id) == 0
    # A refusal is not remembered: once the state allows it, the same key goes through.
    await pool.execute("UPDATE intake.test_things SET status = 'open' WHERE id = $1", thing_id)
    assert (await close(client, thing_id, key="k-4")).status_code == 200


async def test_an_unknown_target_is_404_and_a_bad_reference_is_422(client, pool):
    missing = await close(client, uuid.uuid4())
    assert missing.status_code == 404 and missing.json()["type"].endswith(":not-found")
    bad = await close(client, await new_thing(pool), reason="no-such-customer")
    assert bad.status_code == 422 and bad.json()["type"].endswith(":invalid-reference")
    assert bad.json()["field"] == "reason"


async def test_concurrent_commands_share_a_commit_and_a_refusal_spares_its_batch_mates(
    client, pool
):
    open_ids = [await new_thing(pool) for _ in range(24)]
    refused_id = await new_thing(pool, status="archived")
    responses = await asyncio.gather(
        *(close(client, t, key=f"c-{t}") for t in [*open_ids[:12], refused_id, *open_ids[12:]])
    )
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == 24 and statuses.count(409) == 1
    txids = {r.json()["txid"] for r in responses if r.status_code == 200}
    assert len(txids) < 24, "every command committed alone: no group commit"
    assert await outbox_rows(pool, refused_id) == 0
    for thing_id in open_ids:
        assert await outbox_rows(pool, thing_id) == 1


async def test_a_timer_or_event_handler_issues_the_same_command_in_its_own_unit_of_work(
    settings, pool, things
):
    thing_id = await new_thing(pool)
    runtime = Runtime(settings=settings, metrics=Metrics(), pool=pool)
    async with runtime.uow() as uow:
        row = await run_command(close_thing, CloseThing(thing_id, "timer", "escalation"), uow)
        await uow.commit()
    assert row["status"] == "closed"
    assert await outbox_rows(pool, thing_id) == 1
