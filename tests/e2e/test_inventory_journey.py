"""Inventory through the real services, as a parts coordinator and a partner vendor see it: a
hardware ticket's original part held at the site's nearest depot; a backordered part holding
the restore clock until it arrives; a repair past 5 working days bringing a loaner; a second
failure of one serial ordering a replacement; an end of life reaching the customer's notices 6
months ahead; and a vendor seeing its own parts and nothing else. Business time is moved with
the ops clock, never slept to."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.test_escalation import (
    CENTRE,
    a_customer,
    by_kind,
    move_clocks_to,
    now_everywhere,
    sla_of,
)
from tests.e2e.test_intake_master_data import problem
from tests.support.stack import ServiceStack, eventually

pytestmark = pytest.mark.e2e

COORDINATOR = ("parts-coordinator", "inventory:admin")
SHANGHAI_DEPOT = {"kind": "site_depot", "latitude": 31.25, "longitude": 121.48}
BEIJING_HQ = {"kind": "headquarters", "latitude": 39.90, "longitude": 116.40}


def suffix() -> str:
    return uuid.uuid4().hex[:8]


async def a_location(stack: ServiceStack, name: str, where: dict[str, Any]) -> dict[str, Any]:
    async with stack.client("inventory", *COORDINATOR) as coordinator:
        made = await coordinator.post("/v1/locations", json={"name": name} | where)
    assert made.status_code == 201, made.text
    return made.json()


async def a_part(stack: ServiceStack, maker: str, models: list[str], **part: Any) -> str:
    number = f"PN-{suffix()}"
    async with stack.client("inventory", *COORDINATOR) as coordinator:
        made = await coordinator.post(
            "/v1/parts",
            json={
                "part_number": number,
                "manufacturer": maker,
                "description": "Power supply, 600 W",
                "models": models,
                "original": True,
                "condition": "new",
                "unit_cost": 412.5,
            }
            | part,
        )
    assert made.status_code == 201, made.text
    return number


async def receive(stack: ServiceStack, part: str, location: dict[str, Any], quantity: int) -> None:
    async with stack.client("inventory", *COORDINATOR) as coordinator:
        made = await coordinator.post(
            "/v1/receipts",
            json={
                "part_number": part,
                "location_id": location["id"],
                "quantity": quantity,
                "delivery_reference": f"DN-{suffix()}",
            },
        )
    assert made.status_code == 201, made.text


async def hardware_ticket(stack: ServiceStack, serial: str) -> str:
    async with stack.client("intake", *CENTRE) as centre:
        created = await centre.post(
            "/v1/tickets",
            json={
                "serial": serial,
                "summary": "Power supply failed",
                "channel": "phone",
                "category": "host",
                "impact": "degraded",
            },
        )
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]
    async with stack.client("inventory", *COORDINATOR) as coordinator:

        async def known() -> bool:
            answer = await coordinator.get(f"/v1/tickets/{ticket_id}/reservations")
            return answer.status_code == 200

        await eventually(known, timeout=20)
    return ticket_id


async def resolve(stack: ServiceStack, ticket_id: str, parts_used: list[dict[str, Any]]) -> None:
    async with stack.client("intake") as admin:
        resolved = await admin.post(
            f"/v1/tickets/{ticket_id}/resolve",
            json={
                "report": {
                    "work_done": "Replaced the power supply",
                    "root_cause": "PSU failure",
                    "fault_type": "hardware",
                    "parts_used": parts_used,
                }
            },
        )
    assert resolved.status_code == 200, resolved.text


async def installed(stack: ServiceStack, maker: str, model: str) -> dict[str, Any]:
    """A customer on an originals-only contract, its site in Shanghai, one asset of `model`."""
    placed = await a_customer(stack, originals_waiver=None)
    serial = f"SN-{suffix()}"
    async with stack.client("intake") as admin:
        contact = await admin.post(
            f"/v1/customers/{placed['customer']['id']}/contacts",
            json={"name": "Duty", "phone": "+86 21 5555 0100", "role": "primary"},
        )
        assert contact.status_code == 201, contact.text
        asset = await admin.post(
            "/v1/assets",
            json={
                "customer_id": placed["customer"]["id"],
                "site_id": placed["site"]["id"],
                "contract_id": placed["contract"]["id"],
                "manufacturer": maker,
                "model": model,
                "serial": serial,
                "accepted_on": "2026-03-15",
            },
        )
    assert asset.status_code == 201, asset.text
    return placed | {"serial": serial}


async def test_a_hardware_ticket_gets_its_original_part_its_loaner_and_its_replacement(
    stack: ServiceStack,
):
    maker, model = f"maker-{suffix()}", f"S-{suffix()}"
    depot = await a_location(stack, f"Shanghai depot {suffix()}", SHANGHAI_DEPOT)
    hq = await a_location(stack, f"Beijing HQ {suffix()}", BEIJING_HQ)
    psu = await a_part(stack, maker, [model])
    refurbished = await a_part(stack, maker, [model], condition="refurbished")
    fan = await a_part(stack, maker, [model], description="Fan module")
    for part in (psu, refurbished):
        await receive(stack, part, hq, 5)
        await receive(stack, part, depot, 2)
    placed = await installed(stack, maker, model)
    ticket_id = await hardware_ticket(stack, placed["serial"])

    async with stack.client("inventory", *COORDINATOR) as coordinator:
        # IV-1: the original part, from the depot nearest the site.
        held = await coordinator.post(
            f"/v1/tickets/{ticket_id}/reservations", json={"part_number": psu, "quantity": 1}
        )
        assert held.status_code == 201, held.text
        assert (held.json()["location_id"], held.json()["status"]) == (depot["id"], "reserved")
        # IV-4: no waiver on this contract, so no refurbished part.
        refused = await coordinator.post(
            f"/v1/tickets/{ticket_id}/reservations",
            json={"part_number": refurbished, "quantity": 1},
        )
        assert "IV-4" in problem(refused, 409, "originals-only")["detail"]

        # Nobody has the fan: a backorder holds the restore clock until one arrives.
        short = await coordinator.post(
            f"/v1/tickets/{ticket_id}/reservations",
            json={"part_number": fan, "quantity": 1, "backorder": True},
        )
        assert short.status_code == 201, short.text
        assert short.json()["status"] == "backordered"
    sla = await sla_of(
        stack, ticket_id, until=lambda s: by_kind(s)["restore"]["status"] == "paused"
    )
    assert by_kind(sla)["restore"]["holds"] == [f"part_backordered:{fan}"]
    await receive(stack, fan, hq, 1)
    sla = await sla_of(
        stack, ticket_id, until=lambda s: by_kind(s)["restore"]["status"] == "running"
    )
    async with stack.client("inventory", *COORDINATOR) as coordinator:
        held_fan = (await coordinator.get(f"/v1/tickets/{ticket_id}/reservations")).json()
        statuses = {r["part_number"]: (r["status"], r["location_id"]) for r in held_fan}
        assert statuses[fan] == ("reserved", hq["id"])

        # IV-2: a loaner of the same model waits at the depot; past 5 working days it goes out.
        loaner = f"LN-{suffix()}"
        registered = await coordinator.post(
            "/v1/loaners",
            json={
                "serial": loaner,
                "model": model,
                "manufacturer": maker,
                "category": "server",
                "location_id": depot["id"],
            },
        )
        assert registered.status_code == 201, registered.text
    repair = by_kind(sla)["repair"]
    await move_clocks_to(
        stack,
        datetime.fromisoformat(repair["due_at"]) + timedelta(minutes=1),
        "intake",
        "dispatch",
        "escalation",
        "inventory",
    )
    async with stack.client("inventory", *COORDINATOR) as coordinator:

        async def lent():
            listed = await coordinator.get("/v1/loaners", params={"ticket_id": ticket_id})
            items = listed.json()["items"]
            return items if items and items[0]["status"] == "checked_out" else None

        out = await eventually(lent, timeout=30)
        assert [u["serial"] for u in out] == [loaner]
    sla = await sla_of(
        stack, ticket_id, until=lambda s: by_kind(s)["repair"]["status"] == "stopped"
    )

    # The part fitted is consumed from its reservation; a second hardware failure of the same
    # serial in warranty orders a new unit (IV-3).
    await resolve(stack, ticket_id, [{"part_number": psu, "quantity": 1}])
    second = await hardware_ticket(stack, placed["serial"])
    await resolve(stack, second, [])
    async with stack.client("inventory", *COORDINATOR) as coordinator:

        async def consumed():
            listed = await coordinator.get(f"/v1/tickets/{ticket_id}/reservations")
            mine = [r for r in listed.json() if r["part_number"] == psu]
            return mine if mine and mine[0]["status"] == "consumed" else None

        await eventually(consumed, timeout=20)

        async def ordered():
            listed = await coordinator.get("/v1/replacements", params={"serial": placed["serial"]})
            return listed.json()["items"] or None

        replacements = await eventually(ordered, timeout=20)
        assert [(r["model"], r["earlier_ticket_id"], r["ticket_id"]) for r in replacements] == [
            (model, ticket_id, second)
        ]
        stock = (await coordinator.get(f"/v1/parts/{psu}/stock")).json()
        at_depot = next(s for s in stock["locations"] if s["location_id"] == depot["id"])
        assert (at_depot["on_hand"], at_depot["reserved"]) == (1, 0)


async def test_an_end_of_life_reaches_the_owners_notices_six_months_ahead_and_vendors_see_only_their_own(  # noqa: E501
    stack: ServiceStack,
):
    maker, other_maker, model = f"maker-{suffix()}", f"other-{suffix()}", f"S-{suffix()}"
    depot = await a_location(stack, f"Shanghai depot {suffix()}", SHANGHAI_DEPOT)
    mine = await a_part(stack, maker, [model])
    theirs = await a_part(stack, other_maker, [model])
    await receive(stack, mine, depot, 3)
    await receive(stack, theirs, depot, 4)
    placed = await installed(stack, maker, model)
    customer_id = placed["customer"]["id"]
    today = (await now_everywhere(stack)).date()
    end = date(today.year + 1, today.month, 1)

    async with stack.client("inventory", "vendor-portal", "parts:read", vendor=maker) as vendor:
        own = await vendor.get("/v1/vendor/parts")
        assert own.status_code == 200, own.text
        assert [p["part_number"] for p in own.json()["items"]] == [mine]
        availability = await vendor.get(f"/v1/parts/{mine}/availability")
        assert availability.status_code == 200, availability.text
        assert availability.json()["available"] == 3
        assert "unit_cost" not in availability.text and customer_id not in availability.text
        other = await vendor.get(f"/v1/parts/{theirs}/availability")
        missing = await vendor.get("/v1/parts/NO-SUCH-PART/availability")
        assert other.status_code == missing.status_code == 404
        assert other.json()["title"] == missing.json()["title"]

        announced = await vendor.post(
            "/v1/eol", json={"manufacturer": maker, "model": model, "end_of_production": str(end)}
        )
        assert announced.status_code == 201, announced.text
        assert announced.json()["late_notice"] is False
        refused = await vendor.post(
            "/v1/eol",
            json={
                "manufacturer": other_maker,
                "part_number": theirs,
                "end_of_production": str(end),
            },
        )
        assert refused.status_code in (403, 404), refused.text

    async with stack.client("intake") as admin:

        async def noticed():
            listed = await admin.get("/v1/notices", params={"customer_id": customer_id})
            return listed.json()["items"] or None

        notices = await eventually(noticed, timeout=20)
    assert [(n["end_of_production"], n["serials"]) for n in notices] == [
        (str(end), [placed["serial"]])
    ]
    # IV-5: told in writing 6 months ahead of the end of production (the 1st of a month here).
    year, month = divmod(end.year * 12 + end.month - 1 - 6, 12)
    assert datetime.fromisoformat(notices[0]["send_by"]).date() <= date(year, month + 1, 1)
