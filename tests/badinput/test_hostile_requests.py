"""Requests a careless or hostile client sends: each gets a clear problem document, and nothing changes.

A problem document here is application/problem+json with type, title, status and
detail; a validation problem also names each field it refuses. "Nothing changes"
is checked in the database: no row appears in any table a request could write.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest

from shared.http.pagination import encode_cursor
from tests.badinput.conftest import Seeded
from tests.support.stack import ServiceStack

pytestmark = pytest.mark.badinput

MiB = 1024 * 1024

# What a client may write, per service: a rejected request must leave all of these as they were.
WRITTEN = [
    "intake.customers",
    "intake.tickets",
    "intake.idempotency_keys",
    "intake.outbox",
    "dispatch.engineers",
    "dispatch.assignments",
    "dispatch.idempotency_keys",
    "dispatch.outbox",
    "inventory.parts",
    "inventory.receipts",
    "inventory.idempotency_keys",
    "inventory.outbox",
    "escalation.webhooks",
    "escalation.idempotency_keys",
]

Snapshot = Callable[[], Awaitable[dict[str, Any]]]


@pytest.fixture(scope="module")
async def snapshot(database_url: str) -> AsyncIterator[Snapshot]:
    conn = await asyncpg.connect(database_url)

    async def take() -> dict[str, Any]:
        counts = {table: await conn.fetchval(f"SELECT count(*) FROM {table}") for table in WRITTEN}
        counts["accepted assignments"] = await conn.fetchval(
            "SELECT count(*) FROM dispatch.assignments WHERE status = 'accepted'"
        )
        counts["stock"] = [
            tuple(r)
            for r in await conn.fetch(
                "SELECT part_number, warehouse, on_hand FROM inventory.stock ORDER BY 1, 2"
            )
        ]
        return counts

    try:
        yield take
    finally:
        await conn.close()


def valid_bodies(seeded: Seeded) -> dict[tuple[str, str], dict[str, Any]]:
    """One acceptable body per creating endpoint, to spoil one way at a time."""
    return {
        ("intake", "/v1/customers"): {"name": "Hostile Ltd", "region": "north"},
        ("intake", "/v1/tickets"): {
            "customer_id": seeded.customer_id,
            "summary": "Disk failed",
            "channel": "web",
            "category": "storage",
            "impact": "function",
        },
        ("dispatch", "/v1/engineers"): {"name": "Eve", "skills": ["network"], "region": "south"},
        ("inventory", "/v1/parts"): {
            "part_number": f"HX-{uuid.uuid4().hex[:8]}",
            "vendor": "hp",
            "description": "Fan",
        },
        ("inventory", f"/v1/parts/{seeded.part_number}/receipts"): {
            "warehouse": "main",
            "quantity": 3,
        },
        ("escalation", "/v1/webhooks"): {
            "url": "https://hooks.example.com/fieldops",
            "events": ["sla.*"],
            "secret": "whsec_hostile_0123456789",
        },
    }


CREATING = [
    ("intake", "/v1/customers"),
    ("intake", "/v1/tickets"),
    ("dispatch", "/v1/engineers"),
    ("inventory", "/v1/parts"),
    ("inventory", "/v1/parts/{part}/receipts"),
    ("escalation", "/v1/webhooks"),
]


def endpoint(service: str, path: str, seeded: Seeded) -> tuple[str, str]:
    return service, path.replace("{part}", seeded.part_number)


def assert_problem(
    response: httpx.Response,
    status: int,
    *,
    fields: list[str] | None = None,
    slug: str | None = None,
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].startswith("urn:fieldops:problem:")
    assert problem["title"] and problem["detail"]
    assert problem["status"] == status
    if slug is not None:
        assert problem["type"] == f"urn:fieldops:problem:{slug}"
    if fields is not None:
        named = [e["field"] for e in problem["errors"]]
        for field in fields:
            assert field in named, problem
    return problem


async def refused(
    stack: ServiceStack,
    snapshot: Snapshot,
    service: str,
    method: str,
    path: str,
    status: int,
    **request: Any,
) -> dict[str, Any]:
    """Send it as an admin, expect the problem, and check nothing was written."""
    before = await snapshot()
    async with stack.client(service) as client:
        response = await client.request(method, path, **request)
    problem = assert_problem(response, status)
    assert await snapshot() == before
    return problem


# --- size and type of the body ---------------------------------------------------------


@pytest.mark.parametrize(("service", "path"), CREATING)
async def test_a_declared_body_over_one_mib_is_413_before_it_is_read(
    stack, seeded, snapshot, service, path
):
    service, path = endpoint(service, path, seeded)
    body = json.dumps({"name": "x" * (MiB + 1)}).encode()
    problem = await refused(
        stack,
        snapshot,
        service,
        "POST",
        path,
        413,
        content=body,
        headers={"content-type": "application/json"},
    )
    assert problem["type"].endswith("payload-too-large")


@pytest.mark.parametrize(("service", "path"), CREATING)
async def test_a_chunked_body_over_one_mib_is_413_when_the_limit_is_crossed(
    stack, seeded, snapshot, service, path
):
    service, path = endpoint(service, path, seeded)

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(17):
            yield b"x" * 65536
        yield b'"}'

    problem = await refused(
        stack,
        snapshot,
        service,
        "POST",
        path,
        413,
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert problem["type"].endswith("payload-too-large")


async def test_a_chunked_request_really_went_without_content_length(stack):
    async def chunks() -> AsyncIterator[bytes]:
        yield b"{}"

    async with stack.client("intake") as client:
        request = client.build_request(
            "POST", "/v1/customers", content=chunks(), headers={"content-type": "application/json"}
        )
        assert "content-length" not in request.headers
        assert request.headers["transfer-encoding"] == "chunked"


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None]
)
@pytest.mark.parametrize(("service", "path"), CREATING)
async def test_a_body_that_is_not_json_is_415(stack, seeded, snapshot, service, path, content_type):
    service, path = endpoint(service, path, seeded)
    body = json.dumps(valid_bodies(seeded)[(service, path)]).encode()
    headers = {"content-type": content_type} if content_type else {}
    problem = await refused(
        stack, snapshot, service, "POST", path, 415, content=body, headers=headers
    )
    assert problem["type"].endswith("unsupported-media-type")


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": ',
        b"{'name': 'single quotes'}",
        b'{"name": "a"} trailing',
        b"\x87\xff",
        b"[]",
        b"null",
        b'"just a string"',
    ],
)
@pytest.mark.parametrize(("service", "path"), CREATING)
async def test_malformed_json_is_422(stack, seeded, snapshot, service, path, body):
    service, path = endpoint(service, path, seeded)
    problem = await refused(
        stack,
        snapshot,
        service,
        "POST",
        path,
        422,
        content=body,
        headers={"content-type": "application/json"},
    )
    assert problem["errors"] and all(e["location"] == "body" for e in problem["errors"])


# --- fields --------------------------------------------------------------------------------


@pytest.mark.parametrize(("service", "path"), CREATING)
async def test_an_unknown_field_is_422_naming_it_on_every_creating_endpoint(
    stack, seeded, snapshot, service, path
):
    service, path = endpoint(service, path, seeded)
    body = {**valid_bodies(seeded)[(service, path)], "sumary": "typo of summary"}
    problem = await refused(stack, snapshot, service, "POST", path, 422, json=body)
    [error] = problem["errors"]
    assert (error["location"], error["field"], error["code"]) == (
        "body",
        "sumary",
        "extra_forbidden",
    )


TOO_LONG = [
    ("intake", "/v1/customers", "name", 201),
    ("intake", "/v1/customers", "region", 65),
    ("intake", "/v1/tickets", "summary", 201),
    ("intake", "/v1/tickets", "description", 10_001),
    ("intake", "/v1/tickets", "region", 65),
    ("dispatch", "/v1/engineers", "name", 201),
    ("dispatch", "/v1/engineers", "region", 65),
    ("inventory", "/v1/parts", "part_number", 65),
    ("inventory", "/v1/parts", "vendor", 65),
    ("inventory", "/v1/parts", "description", 501),
    ("inventory", "/v1/parts/{part}/receipts", "warehouse", 65),
    ("escalation", "/v1/webhooks", "url", 2049),
    ("escalation", "/v1/webhooks", "secret", 201),
]


@pytest.mark.parametrize(("service", "path", "field", "length"), TOO_LONG)
async def test_text_over_its_limit_is_422_naming_the_field(
    stack, seeded, snapshot, service, path, field, length
):
    service, path = endpoint(service, path, seeded)
    body = {**valid_bodies(seeded)[(service, path)], field: "A" * length}
    problem = await refused(stack, snapshot, service, "POST", path, 422, json=body)
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [(field, "string_too_long")]


@pytest.mark.parametrize("value", ["", "   ", "\u00a0\t", "bad\u0000nul"])
@pytest.mark.parametrize(
    ("service", "path", "field"),
    [
        ("intake", "/v1/customers", "name"),
        ("intake", "/v1/tickets", "summary"),
        ("dispatch", "/v1/engineers", "name"),
        ("inventory", "/v1/parts", "vendor"),
        ("inventory", "/v1/parts/{part}/receipts", "warehouse"),
    ],
)
async def test_blank_text_or_text_with_nul_is_422_naming_the_field(
    stack, seeded, snapshot, service, path, field, value
):
    service, path = endpoint(service, path, seeded)
    body = {**valid_bodies(seeded)[(service, path)], field: value}
    problem = await refused(stack, snapshot, service, "POST", path, 422, json=body)
    assert [e["field"] for e in problem["errors"]] == [field]


@pytest.mark.parametrize(
    "part_number", ["-starts-with-dash", "has space", "ümlaut", "x" * 65, "", "semi;colon"]
)
async def test_a_bad_part_number_in_a_body_is_422(stack, seeded, snapshot, part_number):
    body = {**valid_bodies(seeded)[("inventory", "/v1/parts")], "part_number": part_number}
    problem = await refused(stack, snapshot, "inventory", "POST", "/v1/parts", 422, json=body)
    assert [e["field"] for e in problem["errors"]] == ["part_number"]


@pytest.mark.parametrize(
    "part_number", ["-dash", "has%20space", "%C3%BCmlaut", "x" * 65, "semi;colon"]
)
async def test_a_bad_part_number_in_a_path_is_422(stack, snapshot, part_number):
    await refused(stack, snapshot, "inventory", "GET", f"/v1/parts/{part_number}/availability", 422)
    problem = await refused(
        stack,
        snapshot,
        "inventory",
        "POST",
        f"/v1/parts/{part_number}/receipts",
        422,
        json={"warehouse": "main", "quantity": 1},
    )
    assert "part_number" in [e["field"] for e in problem["errors"]]


@pytest.mark.parametrize(
    "quantity", [0, -1, -(2**31), 1_000_001, 2**31, 10**30, 1.5, "many", None, True]
)
async def test_a_quantity_that_is_not_a_sane_count_is_422(stack, seeded, snapshot, quantity):
    problem = await refused(
        stack,
        snapshot,
        "inventory",
        "POST",
        f"/v1/parts/{seeded.part_number}/receipts",
        422,
        json={"warehouse": "main", "quantity": quantity},
    )
    assert [e["field"] for e in problem["errors"]] == ["quantity"]


# --- paths, queries, headers -----------------------------------------------------------------

NOT_A_UUID = ["not-a-uuid", "12345", "00000000-0000-0000-0000-00000000000g", "x" * 300]


@pytest.mark.parametrize("bad", NOT_A_UUID)
@pytest.mark.parametrize(
    ("service", "method", "template", "field"),
    [
        ("intake", "GET", "/v1/customers/{}", "customer_id"),
        ("intake", "GET", "/v1/tickets/{}", "ticket_id"),
        ("dispatch", "GET", "/v1/engineers/{}", "engineer_id"),
        ("dispatch", "GET", "/v1/assignments/{}", "assignment_id"),
        ("dispatch", "POST", "/v1/assignments/{}/accept", "assignment_id"),
        ("dispatch", "GET", "/v1/tickets/{}/assignments", "ticket_id"),
        ("escalation", "GET", "/v1/tickets/{}/sla", "ticket_id"),
    ],
)
async def test_an_id_that_is_not_a_uuid_is_422_not_500(
    stack, snapshot, service, method, template, field, bad
):
    # A step's body is valid, so that only the path is wrong.
    body = {"json": {"occurred_at": "2026-11-25T09:00:00Z"}} if method == "POST" else {}
    problem = await refused(stack, snapshot, service, method, template.format(bad), 422, **body)
    assert [(e["location"], e["field"]) for e in problem["errors"]] == [("path", field)]


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "bm90IGpzb24",
        encode_cursor("x", "y"),
        encode_cursor(1, 2),
        encode_cursor("2024-01-01T00:00:00", str(uuid.uuid4())),
        encode_cursor("0001-01-01T00:00:00+01:00", str(uuid.uuid4())),
        encode_cursor("one"),
        "A" * 513,
    ],
)
@pytest.mark.parametrize(
    ("service", "path"), [("intake", "/v1/tickets"), ("dispatch", "/v1/me/assignments")]
)
async def test_a_cursor_the_api_never_gave_out_is_422(
    stack, seeded, snapshot, service, path, cursor
):
    before = await snapshot()
    async with stack.client(service, seeded.engineer_id, "admin") as client:
        response = await client.get(path, params={"cursor": cursor})
    assert_problem(response, 422)
    assert await snapshot() == before


@pytest.mark.parametrize("limit", ["0", "-1", "201", "99999999999999999999", "ten", "1.5", ""])
@pytest.mark.parametrize(
    ("service", "path"), [("intake", "/v1/tickets"), ("dispatch", "/v1/me/assignments")]
)
async def test_a_limit_out_of_range_is_422_naming_it(stack, seeded, service, path, limit):
    async with stack.client(service, seeded.engineer_id, "admin") as client:
        response = await client.get(path, params={"limit": limit})
    problem = assert_problem(response, 422)
    assert [(e["location"], e["field"]) for e in problem["errors"]] == [("query", "limit")]


@pytest.mark.parametrize(
    ("service", "path"), [("intake", "/v1/tickets"), ("dispatch", "/v1/me/assignments")]
)
async def test_an_unknown_query_parameter_is_422_naming_it(stack, seeded, service, path):
    async with stack.client(service, seeded.engineer_id, "admin") as client:
        response = await client.get(path, params={"staus": "new"})
    problem = assert_problem(response, 422)
    assert [(e["location"], e["field"], e["code"]) for e in problem["errors"]] == [
        ("query", "staus", "extra_forbidden")
    ]


@pytest.mark.parametrize("key", ["k" * 256, "", "tab\there", "ключ"])
@pytest.mark.parametrize(("service", "path"), CREATING)
async def test_a_bad_idempotency_key_is_422_naming_the_header_and_creates_nothing(
    stack, seeded, snapshot, service, path, key
):
    service, path = endpoint(service, path, seeded)
    problem = await refused(
        stack,
        snapshot,
        service,
        "POST",
        path,
        422,
        json=valid_bodies(seeded)[(service, path)],
        headers={"Idempotency-Key": key.encode()},
    )
    assert [(e["location"], e["field"]) for e in problem["errors"]] == [
        ("header", "Idempotency-Key")
    ]


async def test_a_255_character_idempotency_key_is_fine(stack, seeded):
    async with stack.client("intake") as client:
        response = await client.post(
            "/v1/customers", json={"name": "Long key"}, headers={"Idempotency-Key": "k" * 255}
        )
    assert response.status_code == 201, response.text


# --- state that a valid request can still break --------------------------------------------


async def test_a_ticket_for_an_unknown_customer_is_422_and_creates_nothing(stack, seeded, snapshot):
    body = {**valid_bodies(seeded)[("intake", "/v1/tickets")], "customer_id": str(uuid.uuid4())}
    problem = await refused(stack, snapshot, "intake", "POST", "/v1/tickets", 422, json=body)
    assert problem["title"] == "Unknown customer"


async def test_a_receipt_that_would_overflow_the_stock_counter_is_409_not_500(
    stack, seeded, snapshot, database_url
):
    part = f"HX-FULL-{uuid.uuid4().hex[:6]}"
    async with stack.client("inventory") as client:
        assert (
            await client.post(
                "/v1/parts", json={"part_number": part, "vendor": "hp", "description": "Screw"}
            )
        ).status_code == 201
        assert (
            await client.post(
                f"/v1/parts/{part}/receipts", json={"warehouse": "main", "quantity": 1}
            )
        ).status_code == 201
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "UPDATE inventory.stock SET on_hand = 2147483000 WHERE part_number = $1", part
        )
    finally:
        await conn.close()
    problem = await refused(
        stack,
        snapshot,
        "inventory",
        "POST",
        f"/v1/parts/{part}/receipts",
        409,
        json={"warehouse": "main", "quantity": 1_000_000},
    )
    assert problem["type"].endswith("conflict")


async def test_a_part_number_with_a_slash_can_be_registered_stocked_and_found(stack):
    part = f"HP/{uuid.uuid4().hex[:6]}-A"
    async with stack.client("inventory") as client:
        created = await client.post(
            "/v1/parts", json={"part_number": part, "vendor": "hp", "description": "Bracket"}
        )
        assert created.status_code == 201, created.text
        received = await client.post(
            f"/v1/parts/{part}/receipts", json={"warehouse": "main", "quantity": 2}
        )
        assert received.status_code == 201, received.text
        found = await client.get(created.headers["location"])
    assert found.status_code == 200, found.text
    assert found.json()["available"] == 2


# --- logs ------------------------------------------------------------------------------------


async def test_no_bearer_token_or_jwt_secret_reaches_the_logs(stack, seeded):
    """Last in the module, so the logs hold every request above too, valid and refused."""
    from shared.auth import issue_dev_token

    tokens = [
        stack.token("log-admin", "admin"),
        stack.token("log-reader", "parts:read"),
        issue_dev_token(stack.settings, "log-late", ["admin"], ttl_s=-10),
    ]
    forged = tokens[0][:-6] + "AAAAAA"
    async with httpx.AsyncClient(timeout=10.0) as http:
        for service in ("intake", "dispatch", "escalation", "inventory"):
            for token in [*tokens, forged]:
                auth = {"Authorization": f"Bearer {token}"}
                for method, path, body in [
                    ("GET", "/v1/tickets/not-a-uuid/sla", None),
                    ("GET", f"/v1/tickets/{uuid.uuid4()}", None),
                    ("POST", "/v1/customers", {"name": "x", "token": token}),
                    ("POST", "/v1/parts", b"{broken"),
                    ("GET", "/v1/me/assignments?cursor=" + token[:40], None),
                ]:
                    content = body if isinstance(body, bytes) else None
                    await http.request(
                        method,
                        stack.url(service) + path,
                        headers={
                            **auth,
                            "Idempotency-Key": token[:255],
                            "content-type": "application/json",
                        },
                        json=body if isinstance(body, dict) else None,
                        content=content,
                    )
    secret = stack.settings.jwt_secret.get_secret_value()
    logs = {path.name: path.read_text() for path in stack.log_dir.glob("*.log")}
    assert set(logs) == {"intake.log", "dispatch.log", "escalation.log", "inventory.log"}
    assert all("service started" in text for text in logs.values())
    for name, text in logs.items():
        assert secret not in text, name
        for token in [*tokens, forged]:
            signature = token.rsplit(".", 1)[1]
            assert token not in text and signature not in text, name
