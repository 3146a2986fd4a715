"""The engineer's phone over HTTP (DS-3): its work listed with what it needs offline, accepted
live, then the rest of the job done offline and uploaded out of order in one batch; the ticket
resolved in intake with the phone's report; another engineer sees none of it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.test_intake_master_data import site_body
from tests.support.stack import ServiceStack, eventually

pytestmark = pytest.mark.e2e

PHONE = ("assignments:read", "assignments:write")
REPORT = {
    "work_done": "Replaced the failed line card and restored the uplinks",
    "root_cause": "Line card ASIC failure",
    "fault_type": "hardware",
    "parts_used": [
        {"part_number": "LC-48X", "serial_out": "LC-0007", "serial_in": "LC-0912", "quantity": 1}
    ],
    "minutes_on_site": 20,
}


def stamp(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


async def test_a_job_accepted_live_and_finished_offline_resolves_the_ticket_with_its_report(
    stack: ServiceStack,
):
    region = f"r-{uuid.uuid4().hex[:8]}"
    async with stack.client("dispatch", "team-lead", "dispatch:admin") as lead:
        registered = await lead.post(
            "/v1/engineers", json={"name": "Zhao Lei", "skills": ["network"], "region": region}
        )
        other = await lead.post(
            "/v1/engineers",
            json={"name": "Sun Li", "skills": ["storage"], "region": f"{region}-x"},
        )
    assert registered.status_code == 201, registered.text
    engineer_id, stranger_id = registered.json()["id"], other.json()["id"]

    async with stack.client("intake") as admin:
        customer = await admin.post("/v1/customers", json={"name": "ACME", "region": region})
        customer_id = customer.json()["id"]
        site = await admin.post("/v1/sites", json=site_body(customer_id, region=region))
        duty = await admin.post(
            f"/v1/customers/{customer_id}/contacts",
            json={"name": "Chen Jie", "phone": "+86 138 0000 0001", "role": "primary"},
        )
        assert duty.status_code == 201, duty.text
    async with stack.client("intake", "call-centre", "tickets:write", "tickets:read") as centre:
        created = await centre.post(
            "/v1/tickets",
            json={
                "customer_id": customer_id,
                "site_id": site.json()["id"],
                "summary": "Core switch down",
                "description": "Floor 3 and 4 lost the network",
                "channel": "phone",
                "category": "network",
                "impact": "outage",
            },
        )
    assert created.status_code == 201, created.text
    ticket = created.json()

    async with (
        stack.client("dispatch", engineer_id, *PHONE) as phone,
        stack.client("dispatch", stranger_id, *PHONE) as stranger,
    ):

        async def my_job():
            page = (await phone.get("/v1/me/assignments")).json()
            return [a for a in page["items"] if a["ticket_id"] == ticket["id"]]

        [job] = await eventually(my_job, timeout=10)
        assert job["status"] == "assigned" and job["role"] == "lead"
        # What the engineer needs in a basement: the fault, where, and whom to call.
        assert job["ticket"] == {
            "id": ticket["id"],
            "number": ticket["number"],
            "priority": "P1",
            "summary": "Core switch down",
        }
        assert job["site"]["address"] == "88 Century Avenue, Shanghai"
        assert job["contact"] == {"name": "Chen Jie", "phone": "+86 138 0000 0001"}
        path = f"/v1/assignments/{job['id']}"

        started = datetime.now(UTC) - timedelta(hours=1)
        accepted = await phone.post(
            f"{path}/accept",
            json={"occurred_at": stamp(started)},
            headers={"Idempotency-Key": "accept-1"},
        )
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["accepted_at"] == stamp(started)

        # Offline from here: the phone queued each step and uploads them out of order, with
        # the accept again (it never saw the answer) under the same key.
        steps: list[dict[str, Any]] = [
            {"action": "complete", "minutes": 40, "report": REPORT},
            {
                "action": "arrive",
                "minutes": 20,
                "position": {"latitude": 31.23, "longitude": 121.47},
            },
            {"action": "accept", "minutes": 0, "key": "accept-1"},
            {"action": "depart", "minutes": 5, "position": {"latitude": 31.2, "longitude": 121.5}},
        ]
        actions = [
            {
                "assignment_id": job["id"],
                "action": s["action"],
                "key": s.get("key", f"{s['action']}-{job['id']}"),
                "occurred_at": stamp(started + timedelta(minutes=s["minutes"])),
                **{k: v for k, v in s.items() if k in ("report", "position")},
            }
            for s in steps
        ]
        uploaded = await phone.post("/v1/me/actions", json={"actions": actions})
        assert uploaded.status_code == 200, uploaded.text
        results = uploaded.json()["results"]
        assert [r["status"] for r in results] == ["applied", "applied", "replayed", "applied"]
        assert results[0]["assignment"]["status"] == "completed"
        assert results[2]["assignment"] == accepted.json()
        done = (await phone.get(path)).json()
        assert [done[f"{s}_at"] for s in ("accepted", "departed", "arrived", "completed")] == [
            stamp(started + timedelta(minutes=m)) for m in (0, 5, 20, 40)
        ]
        again = await phone.post("/v1/me/actions", json={"actions": actions})
        assert [r["status"] for r in again.json()["results"]] == ["replayed"] * 4
        assert await my_job() == []  # ended: off the phone's list of live work
        history = (await phone.get(f"{path}/history")).json()
        assert [(h["action"], h["to_status"]) for h in history] == [
            ("accept", "accepted"),
            ("depart", "departed"),
            ("arrive", "on_site"),
            ("complete", "completed"),
        ]

        # Another engineer learns nothing of this job and cannot touch it.
        assert (await stranger.get(path)).status_code == 404
        assert (await stranger.get(f"{path}/history")).status_code == 404
        refused = await stranger.post(
            f"{path}/decline",
            json={"occurred_at": stamp(started), "reason": "Not mine"},
        )
        assert refused.status_code == 404
        theirs = await stranger.post("/v1/me/actions", json={"actions": actions[:1]})
        assert theirs.json()["results"][0]["problem"]["status"] == 404

    async with stack.client("intake", "ops", "tickets:read") as reader:

        async def resolved():
            answer = (await reader.get(f"/v1/tickets/{ticket['id']}")).json()
            return answer["status"] == "resolved" and answer

        answer = await eventually(resolved, timeout=15)
        assert answer["resolved_at"] == stamp(started + timedelta(minutes=40))
        report = (await reader.get(f"/v1/tickets/{ticket['id']}/report")).json()
        assert (report["source"], report["root_cause"]) == ("engineer", "Line card ASIC failure")
        assert report["parts_used"] == REPORT["parts_used"]
        assert report["engineer_ids"] == [engineer_id]

        async def departed_on_the_timeline():
            timeline = (await reader.get(f"/v1/tickets/{ticket['id']}/timeline")).json()["items"]
            return [e for e in timeline if e["kind"] == "assignment.departed"]

        [departure] = await eventually(departed_on_the_timeline, timeout=10)
        assert departure["at"] == stamp(started + timedelta(minutes=5))
