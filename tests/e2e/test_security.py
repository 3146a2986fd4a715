"""Every endpoint but health, readiness and metrics needs a token with the right scope."""

import asyncio
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime

import httpx
import jwt
import pytest

from shared.devstack.net import free_port
from shared.devstack.services import REPO_ROOT
from shared.devstack.up import try_it_commands
from shared.settings import PUBLISHED_SECRETS, SERVICES
from tests.support.stack import ServiceStack, eventually

pytestmark = pytest.mark.e2e

PROTECTED = [
    ("intake", "GET", "/v1/tickets"),
    ("intake", "POST", "/v1/tickets"),
    ("intake", "POST", "/v1/customers"),
    ("dispatch", "POST", "/v1/engineers"),
    ("dispatch", "GET", "/v1/me/assignments"),
    ("escalation", "GET", f"/v1/tickets/{uuid.uuid4()}/sla"),
    ("escalation", "POST", "/v1/webhooks"),
    ("escalation", "GET", "/v1/emails"),
    ("inventory", "GET", "/v1/parts/HP-1/ledger"),
    ("inventory", "POST", "/v1/parts"),
    ("inventory", "POST", "/v1/receipts"),
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
            await stranger.post(
                f"/v1/assignments/{assignment['id']}/accept",
                json={"occurred_at": datetime.now(UTC).isoformat()},
            )
        ).status_code == 404
        assert (await stranger.get(f"/v1/engineers/{mine}")).status_code == 404
        assert [a["id"] for a in (await stranger.get("/v1/me/assignments")).json()["items"]] == []
        assert (await owner.get(f"/v1/assignments/{assignment['id']}")).status_code == 200


def signed(stack: ServiceStack, claims: dict, *, key: str | None = None) -> str:
    now = int(time.time())
    return jwt.encode(
        {
            "sub": "probe",
            "iss": "fieldops",
            "aud": "fieldops",
            "iat": now,
            "exp": now + 300,
            **claims,
        },
        key or stack.jwt_secret,
        algorithm="HS256",
    )


async def test_an_admin_token_signed_with_the_secret_in_the_source_is_401(stack: ServiceStack):
    [printed] = [
        secret for secret in PUBLISHED_SECRETS if secret.startswith("fieldops-development-secret")
    ]
    token = signed(stack, {"scope": "admin"}, key=printed)
    async with httpx.AsyncClient(
        base_url=stack.url("intake"), headers={"Authorization": f"Bearer {token}"}
    ) as client:
        created = await client.post("/v1/customers", json={"name": "Intruder Ltd"})
        listed = await client.get("/v1/tickets")
    assert (created.status_code, listed.status_code) == (401, 401), created.text


@pytest.mark.parametrize(
    "scope",
    [
        None,
        1,
        True,
        ["admin", ["admin"]],
        {"admin": True},
        "tickets:write\u2003admin",
        "tickets:write\tadmin",
    ],
    ids=repr,
)
async def test_a_malformed_scope_claim_is_a_401_problem_with_a_generic_detail_and_no_traceback(
    stack: ServiceStack, scope
):
    token = signed(stack, {"scope": scope})
    for service, path in [
        ("intake", "/v1/tickets"),
        ("escalation", f"/v1/tickets/{uuid.uuid4()}/sla"),
    ]:
        async with httpx.AsyncClient(base_url=stack.url(service)) as client:
            response = await client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert (
            problem["type"] == "urn:fieldops:problem:unauthorized"
            and "scope" not in problem["detail"]
        )
    for service in ("intake", "escalation"):
        log = (stack.log_dir / f"{service}.log").read_text()
        assert "Traceback" not in log and "unhandled error" not in log


async def test_a_401_does_not_say_why_the_token_was_refused(stack: ServiceStack):
    details = set()
    async with httpx.AsyncClient(base_url=stack.url("intake")) as client:
        for token in (
            signed(stack, {"scope": "admin", "exp": int(time.time()) - 60}),
            signed(stack, {"scope": "admin", "aud": "elsewhere"}),
            signed(stack, {"scope": "admin"}, key="x" * 48),
            "not-a-jwt",
        ):
            response = await client.get("/v1/tickets", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 401
            details.add(response.json()["detail"])
    [detail] = details
    assert not any(
        word in detail.lower() for word in ("signature", "audience", "decode", "segments")
    )


async def test_call_centre_software_registers_and_reads_the_customers_of_its_crm(
    stack: ServiceStack,
):
    async with (
        stack.client("intake", "crm-sync", "customers:write", "customers:read") as crm,
        stack.client("intake", "call-centre", "tickets:write", "tickets:read") as call_centre,
    ):
        created = await crm.post("/v1/customers", json={"name": "Synced from the CRM"})
        assert created.status_code == 201, created.text
        assert (await crm.get(created.headers["location"])).status_code == 200
        assert (
            await call_centre.post("/v1/customers", json={"name": "Not allowed"})
        ).status_code == 403
        ticket = await call_centre.post(
            "/v1/tickets",
            json={
                "customer_id": created.json()["id"],
                "summary": "Fan",
                "channel": "phone",
                "category": "host",
                "impact": "minor",
            },
        )
        assert ticket.status_code == 201, ticket.text


@pytest.mark.parametrize("service", SERVICES)
async def test_the_served_openapi_lists_each_accepted_scope_as_a_requirement_of_its_own(
    stack: ServiceStack, service
):
    async with httpx.AsyncClient(base_url=stack.url(service)) as anonymous:
        document = (await anonymous.get("/openapi.json")).json()
    requirements = [
        requirement
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for requirement in operation.get("security", [])
    ]
    assert requirements
    assert all(
        len(scopes) == 1 for requirement in requirements for scopes in requirement.values()
    ), requirements


async def test_the_commands_fieldops_up_prints_run_as_pasted_against_the_services(
    stack: ServiceStack,
):
    async with stack.client("intake") as admin:
        customer_id = (await admin.post("/v1/customers", json={"name": "Demo"})).json()["id"]
    shell = try_it_commands(
        {s: stack.url(s) for s in SERVICES},
        customer_id=customer_id,
        writer=stack.token("demo-call-centre", "tickets:write", "tickets:read"),
        reader=stack.token("demo-ops", "ops:read"),
    )
    ran = await asyncio.to_thread(
        subprocess.run,
        ["bash", "-c", f'set -eo pipefail\n{shell}\necho "ticket=$TICKET_ID"'],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    ticket_id = ran.stdout.rsplit("ticket=", 1)[1].strip()
    async with stack.client("intake") as admin:
        assert (await admin.get(f"/v1/tickets/{ticket_id}")).json()["customer_id"] == customer_id


@pytest.mark.parametrize(
    ("given", "refusal"),
    [
        ({}, "refusing to start"),
        ({"FIELDOPS_ENVIRONMENT": "production", "FIELDOPS_JWT_SECRET": "a"}, "at least 32 bytes"),
        ({"FIELDOPS_JWT_SECRET": "fieldops-development-secret-change-me-0123456789"}, "published"),
    ],
    ids=["no secret", "production with a short secret", "the secret this repository printed"],
)
def test_a_service_refuses_to_start_without_a_secret_of_its_own(
    stack: ServiceStack, given, refusal
):
    env = {**stack.env("intake"), "FIELDOPS_PORT": str(free_port()), **given}
    if "FIELDOPS_JWT_SECRET" not in given:
        del env["FIELDOPS_JWT_SECRET"]
    process = subprocess.run(
        [sys.executable, "-m", "shared.cli", "serve", "intake"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert process.returncode != 0
    assert refusal in process.stdout + process.stderr
