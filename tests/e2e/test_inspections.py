"""DS-6/DS-8 over HTTP: each contract is inspected once a month, and its engineer files the site
check with a remedy for every nonconformity."""

import calendar
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.support.stack import ServiceStack, eventually

pytestmark = pytest.mark.e2e

PROBLEM = "application/problem+json"
SHANGHAI = ZoneInfo("Asia/Shanghai")
ENGINEER_SCOPES = ("assignments:read", "assignments:write")
READINGS = {
    "supply_voltage_v": 221.0,
    "frequency_hz": 50.0,
    "earth_resistance_ohm": 1.4,  # the seed's limit is < 1 Ω
    "ups_output_sufficient": True,
    "ups_load_percent": 42.0,
    "room_temperature_c": 23.5,
    "humidity_percent": 55.0,
    "em_interference": False,
    "corrosives": False,
}


def problem(response, status: int, kind: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"].endswith(kind), body
    return body


def first_of_next_month(at: datetime) -> datetime:
    local = at.astimezone(SHANGHAI)
    return (local.replace(day=1) + timedelta(days=32)).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )


def report(readings=READINGS, remedies=None) -> dict:
    return {
        "readings": readings,
        "remedies": {} if remedies is None else remedies,
        "findings": "Dust in the core switch's intake filters",
        "advice": "Clean the filters quarterly",
        "occurred_at": "2026-12-02T10:30:00+08:00",
    }


async def register_engineer(stack: ServiceStack, name: str) -> str:
    async with stack.client("dispatch") as admin:
        response = await admin.post(
            "/v1/engineers", json={"name": name, "skills": ["network"], "region": "east"}
        )
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def customer_with_site_and_contract(
    stack: ServiceStack, *, warranty_start: date, resident: str
) -> str:
    async with stack.client("intake") as admin:
        customer = await admin.post("/v1/customers", json={"name": "Pudong Bank", "region": "east"})
        assert customer.status_code == 201, customer.text
        customer_id = customer.json()["id"]
        site = await admin.post(
            "/v1/sites",
            json={
                "customer_id": customer_id,
                "name": "Pudong data centre",
                "address": "88 Century Avenue, Shanghai",
                "latitude": 31.2304,
                "longitude": 121.4737,
                "timezone": "Asia/Shanghai",
                "region": "east",
            },
        )
        assert site.status_code == 201, site.text
        contract = await admin.post(
            "/v1/contracts",
            json={
                "customer_id": customer_id,
                "coverage": "5x8",
                "onsite_minutes": 360,
                "calendar": "cn-5x8",
                "warranty_start": warranty_start.isoformat(),
                "resident_engineer_id": resident,
            },
        )
        assert contract.status_code == 201, contract.text
    return contract.json()["id"]


async def test_a_contract_is_inspected_once_a_month_and_its_engineer_files_the_site_check(
    stack: ServiceStack,
):
    resident = await register_engineer(stack, "Li Lei")
    stranger = await register_engineer(stack, "Han Meimei")
    now = await stack.clock("dispatch")
    next_month = first_of_next_month(now)
    month = next_month.strftime("%Y-%m")
    # One contract in warranty now, one whose warranty starts next month (in Shanghai).
    running = await customer_with_site_and_contract(
        stack,
        warranty_start=now.astimezone(SHANGHAI).date() - timedelta(days=60),
        resident=resident,
    )
    starting = await customer_with_site_and_contract(
        stack, warranty_start=next_month.date(), resident=resident
    )

    async with stack.client("dispatch", "ops", "ops:read") as ops:

        async def inspections(contract_id: str) -> list[dict]:
            response = await ops.get("/v1/inspections", params={"contract_id": contract_id})
            assert response.status_code == 200, response.text
            return response.json()["items"]

        # The running contract's month is inspected: the read models and the timer are at work.
        [this_month] = await eventually(lambda: inspections(running), timeout=30)
        assert this_month["month"] == now.astimezone(SHANGHAI).strftime("%Y-%m")
        assert await inspections(starting) == []

        await stack.advance_clock("dispatch", (next_month - now).total_seconds() + 3600)

        async def next_months(contract_id: str) -> list[dict]:
            items = await inspections(contract_id)
            return items if any(i["month"] == month for i in items) else []

        [inspection] = await eventually(lambda: next_months(starting), timeout=30)
        assert len(await next_months(running)) == 2
        assert await inspections(starting) == [inspection]
    assert inspection["engineer_id"] == resident
    assert inspection["status"] == "scheduled" and inspection["report"] is None
    last_day = calendar.monthrange(next_month.year, next_month.month)[1]
    assert inspection["due_by"] == next_month.date().replace(day=last_day).isoformat()

    path = f"/v1/inspections/{inspection['id']}/report"
    async with stack.client("dispatch", resident, *ENGINEER_SCOPES) as engineer:
        mine = (await engineer.get("/v1/me/inspections")).json()["items"]
        assert inspection["id"] in [i["id"] for i in mine]

        unremedied = problem(await engineer.post(path, json=report()), 422, "rule-violated")
        assert unremedied["readings"] == ["earth_resistance_ohm"]
        missing = problem(
            await engineer.post(
                path,
                json=report({k: v for k, v in READINGS.items() if k != "corrosives"}),
            ),
            422,
            "validation",
        )
        assert "readings.corrosives" in [e["field"] for e in missing["errors"]]

        remedies = {"earth_resistance_ohm": "Re-bond the rack earth to the building's earth bar"}
        key = {"Idempotency-Key": str(uuid.uuid4())}
        filed = await engineer.post(path, json=report(remedies=remedies), headers=key)
        assert filed.status_code == 200, filed.text
        completed = filed.json()
        again = await engineer.post(path, json=report(remedies=remedies), headers=key)
        second = await engineer.post(
            path, json=report(remedies=remedies), headers={"Idempotency-Key": str(uuid.uuid4())}
        )

    assert completed["status"] == "completed"
    assert completed["report"]["nonconformities"] == [
        {
            "reading": "earth_resistance_ohm",
            "value": 1.4,
            "limit": "< 1 Ω",
            "remedy": remedies["earth_resistance_ohm"],
        }
    ]
    assert completed["report"]["readings"] == READINGS
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == completed
    assert problem(second, 409, "conflict")["current_status"] == "completed"

    async with stack.client("dispatch", stranger, *ENGINEER_SCOPES) as other:
        problem(await other.post(path, json=report(remedies=remedies)), 404, "not-found")
        problem(await other.get(f"/v1/inspections/{inspection['id']}"), 404, "not-found")
        listed = await other.get("/v1/inspections", params={"contract_id": starting})
    assert listed.json()["items"] == []
