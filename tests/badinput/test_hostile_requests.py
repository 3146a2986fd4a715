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
    "inventory.locations",
    "inventory.receipts",
    "inventory.movements",
    "inventory.transfers",
    "inventory.reorder_points",
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
            "manufacturer": "hp",
            "description": "Fan",
        },
        ("inventory", "/v1/locations"): {
            "name": f"Depot {uuid.uuid4().hex[:8]}",
            "kind": "site_depot",
            "latitude": 39.9,
            "longitude": 116.4,
        },
        ("inventory", "/v1/receipts"): {
            "part_number": seeded.part_number,
            "location_id": seeded.location_id,
            "quantity": 3,
            "delivery_reference": f"DN-{uuid.uuid4().hex[:12]}",
        },
        ("inventory", "/v1/adjustments"): {
            "part_number": seeded.part_number,
            "location_id": seeded.location_id,
            "quantity": 1,
            "reason": "found on the shelf",
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
    ("inventory", "/v1/locations"),
    ("inventory", "/v1/receipts"),
    ("inventory", "/v1/adjustments"),
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
    ("inventory", "/v1/parts", "manufacturer", 65),
    ("inventory", "/v1/parts", "description", 501),
    ("inventory", "/v1/locations", "name", 101),
    ("inventory", "/v1/receipts", "delivery_reference", 101),
    ("inventory", "/v1/adjustments", "reason", 501),
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
        ("inventory", "/v1/parts", "manufacturer"),
        ("inventory", "/v1/locations", "name"),
        ("inventory", "/v1/receipts", "delivery_reference"),
        ("inventory", "/v1/adjustments", "reason"),
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
    await refused(stack, snapshot, "inventory", "GET", f"/v1/parts/{part_number}/ledger", 422)
    problem = await refused(
        stack,
        snapshot,
        "inventory",
        "POST",
        f"/v1/parts/{part_number}/reorder-points",
        422,
        json={"location_id": str(uuid.uuid4()), "reorder_point": 1},
    )
    assert "part_number" in [e["field"] for e in problem["errors"]]


INSANE_QUANTITIES = [0, -1, -(2**31), 10_001, 2**31, 10**30, 1.5, "many", None, True]


@pytest.mark.parametrize("quantity", INSANE_QUANTITIES)
@pytest.mark.parametrize("path", ["/v1/receipts", "/v1/transfers"])
async def test_a_quantity_that_is_not_a_sane_count_is_422(stack, seeded, snapshot, path, quantity):
    body = {
        "part_number": seeded.part_number,
        "location_id": seeded.location_id,
        "quantity": quantity,
        "delivery_reference": f"DN-{uuid.uuid4().hex[:12]}",
    }
    if path == "/v1/transfers":
        body = {
            "part_number": seeded.part_number,
            "from_location_id": seeded.location_id,
            "to_location_id": str(uuid.uuid4()),
            "quantity": quantity,
        }
    problem = await refused(stack, snapshot, "inventory", "POST", path, 422, json=body)
    assert [e["field"] for e in problem["errors"]] == ["quantity"]


@pytest.mark.parametrize("quantity", [0, -10_001, 10_001, 0.0, "1", True])
async def test_an_adjustment_of_nothing_or_of_more_than_a_delivery_is_422(
    stack, seeded, snapshot, quantity
):
    body = {**valid_bodies(seeded)[("inventory", "/v1/adjustments")], "quantity": quantity}
    problem = await refused(stack, snapshot, "inventory", "POST", "/v1/adjustments", 422, json=body)
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


def a_receipt(seeded: Seeded, **changes: Any) -> dict[str, Any]:
    return {**valid_bodies(seeded)[("inventory", "/v1/receipts")], **changes}


async def test_a_receipt_for_an_unknown_part_is_404_and_books_nothing(stack, seeded, snapshot):
    body = a_receipt(seeded, part_number="HX-NEVER-REGISTERED")
    problem = await refused(stack, snapshot, "inventory", "POST", "/v1/receipts", 404, json=body)
    assert problem["part_number"] == "HX-NEVER-REGISTERED"


async def test_a_receipt_at_an_unknown_location_is_404_and_books_nothing(stack, seeded, snapshot):
    body = a_receipt(seeded, location_id=str(uuid.uuid4()))
    problem = await refused(stack, snapshot, "inventory", "POST", "/v1/receipts", 404, json=body)
    assert problem["title"] == "No such location"
    assert problem["location_id"] == body["location_id"]


async def test_a_delivery_reference_already_received_is_409_naming_it(stack, seeded, snapshot):
    # The seeded receipt's reference.
    body = a_receipt(seeded, delivery_reference="DN-SEED-1")
    problem = await refused(stack, snapshot, "inventory", "POST", "/v1/receipts", 409, json=body)
    assert problem["delivery_reference"] == "DN-SEED-1"
    assert "DN-SEED-1" in problem["detail"]


async def test_a_transfer_of_more_than_is_available_is_409_naming_the_count(
    stack, seeded, snapshot
):
    async with stack.client("inventory") as client:
        stock = (await client.get(f"/v1/parts/{seeded.part_number}/stock")).json()
        there = await client.post(
            "/v1/locations", json=valid_bodies(seeded)[("inventory", "/v1/locations")]
        )
    assert there.status_code == 201, there.text
    [here] = [s for s in stock["locations"] if s["location_id"] == seeded.location_id]
    body = {
        "part_number": seeded.part_number,
        "from_location_id": seeded.location_id,
        "to_location_id": there.json()["id"],
        "quantity": here["available"] + 1,
    }
    problem = await refused(stack, snapshot, "inventory", "POST", "/v1/transfers", 409, json=body)
    assert problem["available"] == here["available"]


async def test_a_transfer_to_where_it_comes_from_is_422(stack, seeded, snapshot):
    body = {
        "part_number": seeded.part_number,
        "from_location_id": seeded.location_id,
        "to_location_id": seeded.location_id,
        "quantity": 1,
    }
    await refused(stack, snapshot, "inventory", "POST", "/v1/transfers", 422, json=body)


async def test_a_receipt_that_would_overflow_the_ledgers_count_is_422_not_500(
    stack, seeded, snapshot, database_url
):
    part = f"HX-FULL-{uuid.uuid4().hex[:6]}"
    async with stack.client("inventory") as client:
        created = await client.post(
            "/v1/parts", json={"part_number": part, "manufacturer": "hp", "description": "Screw"}
        )
        assert created.status_code == 201, created.text
    conn = await asyncpg.connect(database_url)
    try:
        # A ledger grown near the count's limit, as no test could receive it 10,000 at a time.
        await conn.execute(
            "INSERT INTO inventory.movements (part_number, location_id, position, kind, "
            "on_hand_delta, reserved_delta, on_hand_after, reserved_after, by, at) "
            "VALUES ($1, $2, 1, 'adjustment', 2147483000, 0, 2147483000, 0, 'test', now())",
            part,
            uuid.UUID(seeded.location_id),
        )
    finally:
        await conn.close()
    body = a_receipt(seeded, part_number=part, quantity=10_000)
    problem = await refused(stack, snapshot, "inventory", "POST", "/v1/receipts", 422, json=body)
    assert problem["title"] == "Stock count out of range"


async def test_a_part_number_with_a_slash_can_be_registered_stocked_and_found(stack, seeded):
    part = f"HP/{uuid.uuid4().hex[:6]}-A"
    async with stack.client("inventory") as client:
        created = await client.post(
            "/v1/parts", json={"part_number": part, "manufacturer": "hp", "description": "Bracket"}
        )
        assert created.status_code == 201, created.text
        received = await client.post(
            "/v1/receipts", json=a_receipt(seeded, part_number=part, quantity=2)
        )
        assert received.status_code == 201, received.text
        found = await client.get(created.headers["location"])
        stock = await client.get(f"/v1/parts/{part}/stock")
        ledger = await client.get(f"/v1/parts/{part}/ledger")
    assert found.status_code == 200, found.text
    assert found.json()["part_number"] == part
    assert stock.json()["available"] == 2
    assert [m["on_hand_after"] for m in ledger.json()["items"]] == [2]


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
