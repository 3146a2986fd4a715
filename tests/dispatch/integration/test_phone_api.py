"""The phone's routes on real PostgreSQL, committed as a phone's requests are: single steps
and offline batches under their idempotency keys, refusals as problem documents, the list
a phone carries offline, its position."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from services.dispatch.assignments import api
from services.dispatch.assignments.rules import engineer_key
from services.dispatch.parts import handlers as parts
from shared.auth import issue_dev_token
from shared.clock import FrozenClock
from shared.events.inventory import PartBackordered, ReservationConsumed, ReservationCreated
from shared.http.problems import install_problem_handlers
from shared.metrics import Metrics
from shared.outbox_rows import envelope_for
from shared.service import Runtime
from tests.dispatch.integration.jobs import NOW, a_job, an_engineer, history_of, load_of

PHONE = ("assignments:read", "assignments:write")
REPORT = {
    "work_done": "Reseated the uplink optic",
    "root_cause": "Dirty SFP connector",
    "fault_type": "hardware",
    "parts_used": [{"part_number": "SFP", "serial_out": "OPT-1", "serial_in": "OPT-2"}],
    "minutes_on_site": 35,
}
Client = Callable[..., httpx.AsyncClient]


@pytest.fixture
def runtime(pool, dispatch_settings) -> Runtime:
    return Runtime(settings=dispatch_settings, metrics=Metrics(), pool=pool, clock=FrozenClock(NOW))


@pytest.fixture
async def client(runtime, dispatch_settings) -> AsyncIterator[Client]:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(api.router)
    app.state.runtime = runtime
    opened: list[httpx.AsyncClient] = []

    def for_(sub: uuid.UUID | str, *scopes: str) -> httpx.AsyncClient:
        token = issue_dev_token(dispatch_settings, str(sub), list(scopes or PHONE))
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://test",
            headers={"Authorization": f"Bearer {token}"},
        )
        opened.append(http)
        return http

    yield for_
    for http in opened:
        await http.aclose()
    for resource in runtime.resources.values():
        if hasattr(resource, "close"):
            await resource.close()


def at(minutes: float) -> str:
    return (NOW - timedelta(hours=2) + timedelta(minutes=minutes)).isoformat()


def queued(job, action: str, minutes: float, key: str | None = None, **extra) -> dict:
    return {
        "assignment_id": str(job.assignment_id),
        "action": action,
        "key": key or f"{action}-{uuid.uuid4().hex[:8]}",
        "occurred_at": at(minutes),
        **extra,
    }


async def outbox(pool, job) -> list[str]:
    rows = await pool.fetch(
        "SELECT type FROM dispatch.outbox WHERE key = $1 ORDER BY id", str(job.ticket_id)
    )
    return [r["type"] for r in rows]


async def test_a_whole_job_uploaded_shuffled_ends_completed_each_step_at_its_phone_time(
    client, pool
):
    job = await a_job(pool)
    actions = [
        queued(job, "accept", 0),
        queued(job, "depart", 10, position={"latitude": 31.2, "longitude": 121.5}),
        queued(job, "arrive", 50, position={"latitude": 31.23, "longitude": 121.47}),
        queued(job, "complete", 90, report=REPORT),
    ]
    sent = [actions[3], actions[2], actions[0], actions[1]]
    response = await client(job.engineer_id).post("/v1/me/actions", json={"actions": sent})

    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["key"] for r in results] == [a["key"] for a in sent]
    assert {r["status"] for r in results} == {"applied"}
    final = next(r for r in results if r["key"] == actions[-1]["key"])["assignment"]
    assert final["status"] == "completed"
    assert [final[f"{s}_at"] for s in ("accepted", "departed", "arrived", "completed")] == [
        at(m).replace("+00:00", "Z") for m in (0, 10, 50, 90)
    ]
    assert await load_of(pool, job.engineer_id) == 0
    assert await outbox(pool, job) == [
        "assignment.accepted",
        "assignment.departed",
        "assignment.arrived",
        "assignment.completed",
    ]


async def test_an_arrive_that_reached_the_server_before_its_depart_ends_on_site_with_both(
    client, pool
):
    alone, batched = await a_job(pool, status="accepted"), await a_job(pool, status="accepted")
    phone = client(alone.engineer_id)
    arrived = await phone.post(
        f"/v1/assignments/{alone.assignment_id}/arrive", json={"occurred_at": at(50)}
    )
    assert arrived.json()["status"] == "on_site"
    late = await phone.post("/v1/me/actions", json={"actions": [queued(alone, "depart", 10)]})
    assert late.json()["results"][0]["status"] == "applied"
    assert late.json()["results"][0]["assignment"]["status"] == "on_site"

    # Both queued offline and uploaded out of order: applied in the phone's order.
    both = await client(batched.engineer_id).post(
        "/v1/me/actions",
        json={"actions": [queued(batched, "arrive", 50), queued(batched, "depart", 10)]},
    )
    assert [r["assignment"]["status"] for r in both.json()["results"]] == ["on_site", "departed"]
    for job in (alone, batched):
        [answer] = [
            a
            for a in (await client(job.engineer_id).get("/v1/me/assignments")).json()["items"]
            if a["id"] == str(job.assignment_id)
        ]
        assert answer["status"] == "on_site"
        assert (answer["departed_at"], answer["arrived_at"]) == (
            at(10).replace("+00:00", "Z"),
            at(50).replace("+00:00", "Z"),
        )
    assert await history_of(pool, batched.assignment_id) == [
        ("depart", "accepted", "departed"),
        ("arrive", "departed", "on_site"),
    ]


async def test_an_action_sent_alone_and_again_in_a_batch_under_its_key_is_applied_once(
    client, pool
):
    job = await a_job(pool)
    phone = client(job.engineer_id)
    alone = await phone.post(
        f"/v1/assignments/{job.assignment_id}/accept",
        json={"occurred_at": at(0)},
        headers={"Idempotency-Key": "accept-1"},
    )
    assert alone.status_code == 200, alone.text
    again = await phone.post(
        "/v1/me/actions", json={"actions": [queued(job, "accept", 0, key="accept-1")]}
    )
    [outcome] = again.json()["results"]
    assert outcome == {"key": "accept-1", "status": "replayed", "assignment": alone.json()}

    # And the other way round: a key first used in a batch is replayed by the route.
    departed = await phone.post(
        "/v1/me/actions", json={"actions": [queued(job, "depart", 10, key="depart-1")]}
    )
    alone_again = await phone.post(
        f"/v1/assignments/{job.assignment_id}/depart",
        json={"occurred_at": at(10)},
        headers={"Idempotency-Key": "depart-1"},
    )
    assert alone_again.headers["idempotent-replayed"] == "true"
    assert alone_again.json() == departed.json()["results"][0]["assignment"]
    assert await outbox(pool, job) == ["assignment.accepted", "assignment.departed"]


async def test_a_batch_sent_twice_is_replayed_item_by_item_and_applies_nothing_again(client, pool):
    job = await a_job(pool)
    batch = {"actions": [queued(job, "accept", 0), queued(job, "depart", 10)]}
    phone = client(job.engineer_id)
    first = await phone.post("/v1/me/actions", json=batch)
    second = await phone.post("/v1/me/actions", json=batch)
    assert [r["status"] for r in second.json()["results"]] == ["replayed", "replayed"]
    assert [r["assignment"] for r in second.json()["results"]] == [
        r["assignment"] for r in first.json()["results"]
    ]
    # The same key twice in one upload is one action too.
    repeat = queued(job, "arrive", 50)
    third = await phone.post("/v1/me/actions", json={"actions": [repeat, repeat]})
    assert [r["status"] for r in third.json()["results"]] == ["applied", "replayed"]
    assert len(await history_of(pool, job.assignment_id)) == 3
    assert len(await outbox(pool, job)) == 3


async def test_a_refused_item_changes_nothing_spares_the_rest_and_its_key_may_be_used_again(
    client, pool
):
    job = await a_job(pool)
    someone_elses = await a_job(pool)
    phone = client(job.engineer_id)
    complete = queued(job, "complete", 5, report=REPORT)
    response = await phone.post(
        "/v1/me/actions",
        json={
            "actions": [
                queued(job, "accept", 0),
                complete,  # accepted, not on site: 409
                queued(someone_elses, "accept", 1),  # not this engineer's: 404
                queued(job, "depart", 8 * 24 * 60, key="far-future"),  # the phone's clock: 422
            ]
        },
    )
    applied, illegal, hidden, future = response.json()["results"]
    assert applied["status"] == "applied" and applied["assignment"]["status"] == "accepted"
    assert illegal["status"] == "refused" and "assignment" not in illegal
    problem = illegal["problem"]
    assert (problem["status"], problem["current_status"]) == (409, "accepted")
    assert problem["allowed"] == ["depart", "arrive", "decline", "cancel"]
    assert problem["instance"] == f"/v1/assignments/{job.assignment_id}/complete"
    assert hidden["problem"]["status"] == 404
    assert future["problem"]["status"] == 422 and future["problem"]["field"] == "occurred_at"
    assert await outbox(pool, job) == ["assignment.accepted"]
    assert await outbox(pool, someone_elses) == []
    assert await history_of(pool, job.assignment_id) == [("accept", "assigned", "accepted")]

    # Once the job allows it, the refused action goes through under the same key.
    await phone.post(f"/v1/assignments/{job.assignment_id}/arrive", json={"occurred_at": at(3)})
    retried = await phone.post("/v1/me/actions", json={"actions": [complete]})
    assert retried.json()["results"][0]["status"] == "applied"


async def test_the_same_key_with_another_action_body_is_refused(client, pool):
    job = await a_job(pool)
    phone = client(job.engineer_id)
    await phone.post(
        f"/v1/assignments/{job.assignment_id}/accept",
        json={"occurred_at": at(0)},
        headers={"Idempotency-Key": "k"},
    )
    response = await phone.post(
        "/v1/me/actions", json={"actions": [queued(job, "accept", 1, key="k")]}
    )
    [outcome] = response.json()["results"]
    assert outcome["status"] == "refused"
    assert outcome["problem"]["type"].endswith("idempotency-key-reused")


async def test_an_upload_that_is_not_a_list_of_one_to_two_hundred_actions_is_422(client, pool):
    job = await a_job(pool)
    phone = client(job.engineer_id)
    for actions in ([], [queued(job, "accept", 0, key=f"k{i}") for i in range(201)]):
        response = await phone.post("/v1/me/actions", json={"actions": actions})
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["actions"]
    no_report = queued(job, "complete", 5)
    response = await phone.post("/v1/me/actions", json={"actions": [no_report]})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["actions.0.complete.report"]


async def test_single_steps_answer_illegal_moves_and_bad_times_as_problems(client, pool):
    job = await a_job(pool)
    phone = client(job.engineer_id)
    path = f"/v1/assignments/{job.assignment_id}"
    early = await phone.post(f"{path}/arrive", json={"occurred_at": at(0)})
    assert early.status_code == 409
    assert early.headers["content-type"] == "application/problem+json"
    assert (early.json()["current_status"], early.json()["allowed"]) == (
        "assigned",
        ["accept", "decline", "time_out", "cancel"],
    )
    stale = await phone.post(f"{path}/accept", json={"occurred_at": at(-8 * 24 * 60)})
    assert stale.status_code == 422 and stale.json()["field"] == "occurred_at"
    no_reason = await phone.post(f"{path}/decline", json={"occurred_at": at(0)})
    assert no_reason.status_code == 422
    no_report = await phone.post(f"{path}/complete", json={"occurred_at": at(0)})
    assert no_report.status_code == 422

    stranger = client(await an_engineer(pool))
    assert (await stranger.post(f"{path}/accept", json={"occurred_at": at(0)})).status_code == 404
    assert (await stranger.get(f"{path}/history")).status_code == 404

    lead = client("team-lead", "dispatch:admin")
    declined = await lead.post(f"{path}/decline", json={"occurred_at": at(1), "reason": "Sick"})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    [entry] = (await lead.get(f"{path}/history")).json()
    assert (entry["action"], entry["by"], entry["late"]) == ("decline", "team-lead", False)
    assert entry["detail"] == {"reason": "Sick"}
    assert await load_of(pool, job.engineer_id) == 0


async def test_the_phones_list_holds_live_jobs_briefed_and_changes_its_etag_on_each_step(
    client, pool
):
    job = await a_job(pool)
    phone = client(job.engineer_id)
    first = await phone.get("/v1/me/assignments")
    [mine] = first.json()["items"]
    assert mine["ticket"]["id"] == str(job.ticket_id) and mine["contact"]["name"] == "Li Na"
    assert mine["site"]["address"] == "88 Century Avenue" and mine["respond_by"]
    unchanged = await phone.get(
        "/v1/me/assignments", headers={"If-None-Match": first.headers["etag"]}
    )
    assert unchanged.status_code == 304
    await phone.post(
        f"/v1/assignments/{job.assignment_id}/decline",
        json={"occurred_at": at(0), "reason": "Car broke down"},
    )
    after = await phone.get("/v1/me/assignments", headers={"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200 and after.json()["items"] == []
    declined = await phone.get("/v1/me/assignments", params={"status": "declined"})
    assert [a["reason"] for a in declined.json()["items"]] == ["Car broke down"]


async def test_the_phones_position_is_kept_when_newer_than_the_one_held(client, pool):
    engineer_id = await an_engineer(pool)
    phone = client(engineer_id)
    newer = await phone.post(
        "/v1/me/position", json={"latitude": 31.23, "longitude": 121.47, "occurred_at": at(50)}
    )
    older = await phone.post(
        "/v1/me/position",
        json={"latitude": 31.2, "longitude": 121.5, "accuracy_m": 20, "occurred_at": at(10)},
    )
    assert newer.status_code == 200 and newer.json()["applied"] is True
    assert older.json() == {**newer.json(), "applied": False}
    nobody = client(uuid.uuid4())
    missing = await nobody.post(
        "/v1/me/position", json={"latitude": 1.0, "longitude": 1.0, "occurred_at": at(0)}
    )
    assert missing.status_code == 404


def reservation(job, part: str, location: str, **fields) -> ReservationCreated:
    return ReservationCreated(
        ticket_id=job.ticket_id,
        reservation_id=uuid.uuid4(),
        part_number=part,
        quantity=fields.pop("quantity", 1),
        location_id=uuid.uuid4(),
        location_name=location,
        expires_at=NOW + timedelta(days=14),
        at=NOW,
        **fields,
    )


async def inventory_says(runtime: Runtime, *events) -> None:
    """Inventory's facts as dispatch's consumer applies them: one committed unit of work."""
    async with runtime.uow() as uow:
        for event in events:
            await parts.EVENTS[event.type](event, envelope_for(event, "/fieldops/inventory"), uow)
        await uow.commit()


async def test_the_phones_list_briefs_each_job_with_the_parts_to_pick_up_and_those_awaited(
    client, runtime, pool
):
    job = await a_job(pool)
    other = await a_job(pool, engineer_id=job.engineer_id)
    used = reservation(job, "HW-S5735-FAN", "Shanghai depot")
    await inventory_says(
        runtime,
        PartBackordered(
            ticket_id=job.ticket_id, part_number="HW-S5735-PSU", quantity_short=1, at=NOW
        ),
        reservation(job, "SFP-10G", "Pudong van stock", quantity=2),
        used,
        ReservationConsumed.model_validate(used.model_dump()),
        reservation(other, "CABLE-OM4", "Shanghai depot"),
    )
    listed = (await client(job.engineer_id).get("/v1/me/assignments")).json()["items"]
    by_ticket = {a["ticket"]["id"]: a["parts"] for a in listed}
    assert by_ticket[str(job.ticket_id)] == [
        {
            "part_number": "SFP-10G",
            "quantity": 2,
            "location_name": "Pudong van stock",
            "status": "reserved",
        },
        {
            "part_number": "HW-S5735-PSU",
            "quantity": 1,
            "location_name": None,
            "status": "backordered",
        },
    ]
    assert [p["part_number"] for p in by_ticket[str(other.ticket_id)]] == ["CABLE-OM4"]


async def test_a_part_reserved_for_a_job_changes_the_etag_and_answers_a_waiting_phone(
    client, runtime, pool
):
    job = await a_job(pool)
    phone = client(job.engineer_id)
    first = await phone.get("/v1/me/assignments")
    assert first.json()["items"][0]["parts"] == []
    etag = first.headers["etag"]
    waiting = asyncio.create_task(
        phone.get("/v1/me/assignments", params={"wait": 30}, headers={"If-None-Match": etag})
    )
    woken = asyncio.create_task(runtime.changes.wait(engineer_key(job.engineer_id), 30))
    # Let the waiter register before the commit; the poll answers the change whenever it looks.
    await asyncio.sleep(0)
    await inventory_says(runtime, reservation(job, "SFP-10G", "Pudong van stock"))
    assert await woken is True
    answer = await waiting
    assert answer.status_code == 200 and answer.headers["etag"] != etag
    assert [p["part_number"] for p in answer.json()["items"][0]["parts"]] == ["SFP-10G"]
