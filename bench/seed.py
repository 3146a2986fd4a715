"""What the benchmark needs in the system before it measures, created through the public API."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

import httpx

from shared.auth import issue_dev_token
from shared.settings import Settings

# Tickets of the end-to-end phase fall into these; the bench's engineers have all of them.
E2E_CATEGORIES = ["host", "network", "security", "system_software"]
# The throughput phase's tickets fall into a category no bench engineer has: dispatch reports
# them unassignable, so they never crowd the engineers' `assigned` lists that the end-to-end
# phase watches (its observer reads the first 200).
THROUGHPUT_CATEGORIES = ["storage"]
VENDORS = ["ACME", "GLOBEX", "INITECH", "UMBRELLA"]
WAREHOUSES = ["WH-NORTH", "WH-SOUTH"]
REGIONS = ["north", "south"]


@dataclass(frozen=True)
class Seed:
    customer_ids: list[str]
    engineers: list[tuple[str, str]]  # (engineer id, token with sub = that id)
    parts: list[tuple[str, str]]  # (part number, token of the part's vendor)
    writer_token: str


async def seed(
    urls: dict[str, str],
    settings: Settings,
    *,
    customers: int = 20,
    engineers: int = 4,
    parts: int = 20,
) -> Seed:
    """Through the API, with tokens signed by `settings`' secret: the one the services were given."""
    admin = {"Authorization": f"Bearer {issue_dev_token(settings, 'bench-admin', ['admin'])}"}
    async with httpx.AsyncClient(timeout=30.0, headers=admin) as http:

        async def post(service: str, path: str, body: dict) -> dict:
            response = await http.post(
                f"{urls[service]}{path}", json=body, headers={"Idempotency-Key": str(uuid.uuid4())}
            )
            if response.status_code != 201:
                raise RuntimeError(
                    f"seeding {service} {path}: HTTP {response.status_code} {response.text[:500]}"
                )
            return response.json()

        made_customers = await asyncio.gather(
            *(
                post(
                    "intake",
                    "/v1/customers",
                    {"name": f"Bench Customer {i}", "region": REGIONS[i % len(REGIONS)]},
                )
                for i in range(customers)
            )
        )
        made_engineers = await asyncio.gather(
            *(
                post(
                    "dispatch",
                    "/v1/engineers",
                    {"name": f"Bench Engineer {i}", "skills": E2E_CATEGORIES},
                )
                for i in range(engineers)
            )
        )
        numbers = [f"BENCH-{i:04d}" for i in range(parts)]
        await asyncio.gather(
            *(
                post(
                    "inventory",
                    "/v1/parts",
                    {
                        "part_number": n,
                        "vendor": VENDORS[i % len(VENDORS)],
                        "description": f"Bench part {i}",
                    },
                )
                for i, n in enumerate(numbers)
            )
        )
        await asyncio.gather(
            *(
                post("inventory", f"/v1/parts/{n}/receipts", {"warehouse": w, "quantity": 100})
                for n in numbers
                for w in WAREHOUSES
            )
        )

    engineer_scopes = ["assignments:read", "assignments:write"]
    return Seed(
        customer_ids=[c["id"] for c in made_customers],
        engineers=[
            (e["id"], issue_dev_token(settings, e["id"], engineer_scopes)) for e in made_engineers
        ],
        parts=[
            (
                n,
                issue_dev_token(
                    settings,
                    f"vendor-{VENDORS[i % len(VENDORS)]}",
                    ["parts:read"],
                    vendor=VENDORS[i % len(VENDORS)],
                ),
            )
            for i, n in enumerate(numbers)
        ],
        writer_token=issue_dev_token(
            settings, "bench-call-centre", ["tickets:write", "tickets:read"]
        ),
    )
