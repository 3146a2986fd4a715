"""Every endpoint but health, readiness and metrics needs a token with the right scope."""

import uuid

import httpx
import pytest

from tests.support.stack import ServiceStack, eventually

pytestmark = pytest.mark.e2e

PROTECTED = [
    ("intake", "GET", "/v1/tickets"),
    ("intake", "POST", "/v1/tickets"),
    ("intake", "POST", "/v1/customers"),
    ("dispatch", "POST", "/v1/engineers"),
    ("dispatch", "GET", "/v1/me/assignments"),
    ("escalation", "GET", f"/v1/tickets/{uuid.uuid4()}/sla"),
    ("inventory", "GET", "/v1/parts/HP-1/availability"),
    ("inventory", "POST", "/v1/parts"),
]


@pytest.mark.parametrize(("service", "method", "path"), PROTECTED)
async def test_no_token_is_401_problem_json(stack: ServiceStack, service, method, path):
    async with httpx.AsyncClient(base_url=stack.url(service)) as anonymous:
        response = await anonymous.request(method, path, json={} if method == "POST" else None)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("service", "method", "path"), PROTECTED)
async def test_a_token_without_the_scope_is_403(stack: ServiceStack, service, method, path):
    async with stack.client(
        service, "someone", "tickets:read" if "parts" in path else "parts:read"
    ) as client:
        response = await client.request(method, path, json={} if method == "POST" else None)
    assert response.status_code == 403, response.text
    assert response.json()["type"].endswith("insufficient-scope")


async def test_a_forged_or_expired_token_is_401(stack: ServiceStack):
    forged = stack.token("intruder", "admin")[:-4] + "AAAA"
    expired = __import__("shared.auth", fromlist=["x"]).issue_dev_token(
        stack.settings, "late", ["admin"], ttl_s=-10
    )
    async with httpx.AsyncClient(base_url=stack.url("intake")) as client:
        for token in (forged, expired, "not-a-jwt"):
            response = await client.get("/v1/tickets", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 401


@pytest.mark.parametrize("service", ["intake", "dispatch", "escalation", "inventory"])
async def test_health_readiness_and_metrics_need_no_token(stack: ServiceStack, service):
    async with httpx.AsyncClient(base_url=stack.url(service)) as anonymous:
        assert (await anonymous.get("/healthz")).status_code == 200
        ready = await anonymous.get("/readyz")
        metrics = await anonymous.get("/metrics")
    assert ready.status_code == 200 and ready.json()["checks"]["consumer"] is True
    assert "fieldops_http_requests_total" in metrics.text


async def test_an_engineer_sees_and_accepts_only_their_own_assignments(stack: ServiceStack):
    async with stack.client("intake") as admin:
        customer = (await admin.post("/v1/customers", json={"name": "Bank"})).json()["id"]
    async with stack.client("dispatch", "lead", "dispatch:admin") as lead:
        mine = (await lead.post("/v1/engineers", json={"name": "A", "skills": ["storage"]})).json()[
            "id"
        ]
        other = (await lead.post("/v1/engineers", json={"name": "B", "skills": ["host"]})).json()[
            "id"
        ]
    async with stack.client("intake") as admin:
        ticket = (
            await admin.post(
                "/v1/tickets",
                json={
                    "customer_id": customer,
                    "summary": "SAN degraded",
                    "channel": "monitoring",
                    "category": "storage",
                    "impact": "degraded",
                },
            )
        ).json()
    async with (
        stack.client("dispatch", mine, "assignments:read", "assignments:write") as owner,
        stack.client("dispatch", other, "assignments:read", "assignments:write") as stranger,
    ):

        async def assigned():
            return (await owner.get(f"/v1/tickets/{ticket['id']}/assignments")).json()

        [assignment] = await eventually(assigned)
        assert (await stranger.get(f"/v1/assignments/{assignment['id']}")).status_code == 404
        assert (await stranger.get(f"/v1/tickets/{ticket['id']}/assignments")).json() == []
        assert (
            await stranger.post(f"/v1/assignments/{assignment['id']}/accept")
        ).status_code == 404
        assert (await stranger.get(f"/v1/engineers/{mine}")).status_code == 404
        assert [a["id"] for a in (await stranger.get("/v1/me/assignments")).json()["items"]] == []
        assert (await owner.get(f"/v1/assignments/{assignment['id']}")).status_code == 200
