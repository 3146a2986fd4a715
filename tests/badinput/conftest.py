from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from tests.support.stack import ServiceStack, eventually


@dataclass(frozen=True)
class Seeded:
    """Things that exist, so some generated requests find something rather than a 404."""

    customer_id: str
    ticket_id: str
    engineer_id: str
    assignment_id: str
    part_number: str
    location_id: str  # where the seeded part is stocked
    site_id: str
    contract_id: str
    serial: str  # an asset of the customer, at the site, under the contract


@pytest.fixture(scope="module")
async def seeded(stack: ServiceStack) -> Seeded:
    async with (
        stack.client("intake") as intake,
        stack.client("dispatch") as dispatch,
        stack.client("inventory") as inventory,
    ):
        customer = (
            await intake.post("/v1/customers", json={"name": "Seeded bank", "region": "north"})
        ).json()
        # The engineer first: dispatch assigns a ticket when it hears of it.
        engineer = (
            await dispatch.post(
                "/v1/engineers",
                json={"name": "Seeded engineer", "skills": ["storage"], "region": "north"},
            )
        ).json()
        ticket = (
            await intake.post(
                "/v1/tickets",
                json={
                    "customer_id": customer["id"],
                    "summary": "Seeded fault",
                    "channel": "phone",
                    "category": "storage",
                    "impact": "degraded",
                },
            )
        ).json()
        part = (
            await inventory.post(
                "/v1/parts",
                json={
                    "part_number": "HP-SEED-1",
                    "manufacturer": "hp",
                    "description": "Seeded disk",
                },
            )
        ).json()
        location = (
            await inventory.post(
                "/v1/locations",
                json={
                    "name": "Seeded depot",
                    "kind": "site_depot",
                    "latitude": 31.2,
                    "longitude": 121.5,
                },
            )
        ).json()
        receipt = await inventory.post(
            "/v1/receipts",
            json={
                "part_number": part["part_number"],
                "location_id": location["id"],
                "quantity": 5,
                "delivery_reference": "DN-SEED-1",
            },
        )
        assert receipt.status_code == 201, receipt.text

        async def assigned():
            return (await dispatch.get(f"/v1/tickets/{ticket['id']}/assignments")).json()

        [assignment] = await eventually(assigned, timeout=20)
        site = (
            await intake.post(
                "/v1/sites",
                json={
                    "customer_id": customer["id"],
                    "name": "Seeded site",
                    "address": "1 Seed Road",
                    "latitude": 31.2,
                    "longitude": 121.5,
                    "timezone": "Asia/Shanghai",
                },
            )
        ).json()
        contract = (
            await intake.post(
                "/v1/contracts",
                json={
                    "customer_id": customer["id"],
                    "coverage": "5x8",
                    "onsite_minutes": 360,
                    "calendar": "cn-5x8",
                    "warranty_start": "2026-01-01",
                },
            )
        ).json()
        asset = await intake.post(
            "/v1/assets",
            json={
                "customer_id": customer["id"],
                "site_id": site["id"],
                "contract_id": contract["id"],
                "manufacturer": "huawei",
                "model": "S5735",
                "serial": "SN-SEEDED-1",
                "accepted_on": "2026-03-01",
            },
        )
        assert asset.status_code == 201, asset.text

        # Dispatch schedules the month's inspection of a contract in warranty in the
        # background (DS-6): wait for it, so that no test sees dispatch's outbox grow under it.
        today = (await stack.clock("dispatch")).astimezone(ZoneInfo("Asia/Shanghai")).date()
        warranty = (contract["warranty_start"], contract["warranty_end"])
        if date.fromisoformat(warranty[0]) <= today <= date.fromisoformat(warranty[1]):

            async def inspection_scheduled():
                return (
                    await dispatch.get("/v1/inspections", params={"contract_id": contract["id"]})
                ).json()["items"]

            await eventually(inspection_scheduled, timeout=20)
    return Seeded(
        customer_id=customer["id"],
        ticket_id=ticket["id"],
        engineer_id=engineer["id"],
        assignment_id=assignment["id"],
        part_number=part["part_number"],
        location_id=location["id"],
        site_id=site["id"],
        contract_id=contract["id"],
        serial=asset.json()["serial"],
    )
