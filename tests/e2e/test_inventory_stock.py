"""Stock as the stores team and the ops team use it over HTTP: a delivery booked in against
its reference, inspected and signed off, moved between locations, and read back from the
ledger (IV-1, IV-6)."""

import uuid

import pytest

from shared.http.pagination import encode_cursor
from tests.support.stack import ServiceStack

pytestmark = pytest.mark.e2e


async def new_location(client, name: str) -> str:
    made = await client.post(
        "/v1/locations",
        json={"name": name, "kind": "regional_office", "latitude": 39.9, "longitude": 116.4},
    )
    assert made.status_code == 201, made.text
    return made.json()["id"]


async def test_a_delivery_is_received_inspected_moved_and_read_back_from_the_ledger(
    stack: ServiceStack,
):
    part, tag = f"HP/{uuid.uuid4().hex[:6]}", uuid.uuid4().hex[:6]
    reference = f"DN-{tag}"
    async with stack.client("inventory", "stores", "inventory:admin") as stores:
        created = await stores.post(
            "/v1/parts",
            json={
                "part_number": part,
                "manufacturer": "hp",
                "description": "Redundant PSU",
                "models": ["DL380 Gen10"],
                "original": False,
                "condition": "refurbished",
                "unit_cost": 129.9,
            },
        )
        assert created.status_code == 201, created.text
        beijing = await new_location(stores, f"Beijing {tag}")
        shanghai = await new_location(stores, f"Shanghai {tag}")
        point = await stores.post(
            f"/v1/parts/{part}/reorder-points", json={"location_id": beijing, "reorder_point": 3}
        )
        assert point.status_code == 200, point.text

        receipt = await stores.post(
            "/v1/receipts",
            json={
                "part_number": part,
                "location_id": beijing,
                "quantity": 6,
                "delivery_reference": reference,
            },
            headers={"Idempotency-Key": f"receipt-{tag}"},
        )
        assert receipt.status_code == 201, receipt.text
        assert receipt.headers["location"] == f"/v1/receipts/{receipt.json()['id']}"
        again = await stores.post(
            "/v1/receipts",
            json={
                "part_number": part,
                "location_id": beijing,
                "quantity": 6,
                "delivery_reference": reference,
            },
        )
        assert again.status_code == 409 and again.json()["delivery_reference"] == reference

        # IV-6: two days later, the delivery waits for its inspection.
        await stack.advance_clock("inventory", 2 * 86400 + 60)
        overdue = await stores.get("/v1/receipts", params={"overdue": "true", "part_number": part})
        assert [r["id"] for r in overdue.json()["items"]] == [receipt.json()["id"]]

        signed = await stores.post(
            f"/v1/receipts/{receipt.json()['id']}/sign-off",
            json={
                "accepted_quantity": 5,
                "notes": "one casing cracked",
                "signed_by_us": "Li Na",
                "signed_by_counterparty": "Zhang Wei (SF Express)",
                "counterparty": "carrier",
            },
        )
        assert signed.status_code == 200, signed.text
        assert signed.json()["overdue"] is False
        twice = await stores.post(
            f"/v1/receipts/{receipt.json()['id']}/sign-off",
            json={
                "accepted_quantity": 6,
                "signed_by_us": "Li Na",
                "signed_by_counterparty": "Zhang Wei",
                "counterparty": "carrier",
            },
        )
        assert twice.status_code == 409

        too_many = await stores.post(
            "/v1/transfers",
            json={
                "part_number": part,
                "from_location_id": beijing,
                "to_location_id": shanghai,
                "quantity": 6,
            },
        )
        assert too_many.status_code == 409 and too_many.json()["available"] == 5
        moved = await stores.post(
            "/v1/transfers",
            json={
                "part_number": part,
                "from_location_id": beijing,
                "to_location_id": shanghai,
                "quantity": 3,
            },
        )
        assert moved.status_code == 201, moved.text

    async with stack.client("inventory", "ops", "ops:read") as ops:
        ledger = (await ops.get(f"/v1/parts/{part}/ledger")).json()
        stock = (await ops.get(f"/v1/parts/{part}/stock")).json()
        found = (await ops.get(f"/v1/parts/{part}")).json()
        listed = (await ops.get("/v1/parts", params={"model": "DL380 Gen10"})).json()
    assert [(m["kind"], m["on_hand_delta"], m["on_hand_after"]) for m in ledger["items"]] == [
        ("receipt", 6, 6),
        ("adjustment", -1, 5),
        ("transfer_out", -3, 2),
        ("transfer_in", 3, 3),
    ]
    assert ledger["items"][1]["reason"] == "rejected at inspection: one casing cracked"
    assert (stock["on_hand"], stock["available"]) == (5, 5)
    assert {s["name"]: s["available"] for s in stock["locations"]} == {
        f"Beijing {tag}": 2,
        f"Shanghai {tag}": 3,
    }
    assert (found["unit_cost"], found["condition"], found["original"]) == (
        129.9,
        "refurbished",
        False,
    )
    assert part in [p["part_number"] for p in listed["items"]]


async def test_a_partner_vendor_cannot_read_a_locations_books_or_a_parts_cost(stack: ServiceStack):
    async with stack.client("inventory", "hp-portal", "parts:read", vendor="hp") as vendor:
        answers = [
            await vendor.get(path)
            for path in ("/v1/parts/HP-1", "/v1/parts/HP-1/stock", "/v1/parts/HP-1/ledger")
        ]
    assert [a.status_code for a in answers] == [403, 403, 403]


async def test_an_unknown_part_has_no_ledger(stack: ServiceStack):
    async with stack.client("inventory", "ops", "ops:read") as ops:
        missing = await ops.get("/v1/parts/NOPE-404/ledger")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


async def test_a_part_is_changed_field_by_field_and_locations_are_listed_by_name(
    stack: ServiceStack,
):
    part, tag = f"HW-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex[:6]
    async with stack.client("inventory", "stores", "inventory:admin") as stores:
        created = await stores.post(
            "/v1/parts",
            json={"part_number": part, "manufacturer": "huawei", "description": "Fan"},
        )
        assert created.status_code == 201, created.text
        changed = await stores.patch(
            f"/v1/parts/{part}", json={"unit_cost": 12.5, "models": ["S5735"]}
        )
        cleared = await stores.patch(f"/v1/parts/{part}", json={"description": None})
        for name in ("b", "a"):
            await new_location(stores, f"{tag} {name}")
        listed = (await stores.get("/v1/locations", params={"limit": 200})).json()
    assert changed.status_code == 200, changed.text
    assert (changed.json()["unit_cost"], changed.json()["models"]) == (12.5, ["S5735"])
    assert changed.json()["description"] == "Fan"
    assert cleared.status_code == 422
    names = [loc["name"] for loc in listed["items"] if loc["name"].startswith(tag)]
    assert names == [f"{tag} a", f"{tag} b"]


async def every_page(client, path: str, **params) -> tuple[list[dict], int]:
    """A list read to its end the way a client does: each page's next_cursor asks for the next."""
    items: list[dict] = []
    cursor, pages = None, 0
    while True:
        answer = await client.get(path, params=params | ({"cursor": cursor} if cursor else {}))
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert set(page) == {"items", "next_cursor"} and len(page["items"]) <= params["limit"]
        items, pages, cursor = items + page["items"], pages + 1, page["next_cursor"]
        if cursor is None:
            return items, pages


async def test_the_catalogue_the_locations_and_a_ledger_page_to_their_end_with_next_cursor(
    stack: ServiceStack,
):
    tag = uuid.uuid4().hex[:6]
    model, parts = f"Model {tag}", [f"PG-{tag}-{n}" for n in range(3)]
    names = [f"Paged {tag} {n}" for n in range(3)]
    async with stack.client("inventory", "stores", "inventory:admin") as stores:
        for part in reversed(parts):
            body = {"part_number": part, "manufacturer": "hp", "description": "Fan"}
            made = await stores.post("/v1/parts", json=body | {"models": [model]})
            assert made.status_code == 201, made.text
        where = [await new_location(stores, name) for name in reversed(names)]
        for n in range(3):
            receipt = {"part_number": parts[0], "location_id": where[0], "quantity": n + 1}
            booked = await stores.post(
                "/v1/receipts", json=receipt | {"delivery_reference": f"DN-{tag}-{n}"}
            )
            assert booked.status_code == 201, booked.text
    async with stack.client("inventory", "ops", "ops:read") as ops:
        catalogue, catalogue_pages = await every_page(ops, "/v1/parts", model=model, limit=2)
        locations, _ = await every_page(ops, "/v1/locations", limit=2)
        ledger, ledger_pages = await every_page(ops, f"/v1/parts/{parts[0]}/ledger", limit=2)
    assert [p["part_number"] for p in catalogue] == parts and catalogue_pages == 2
    every_name = [loc["name"] for loc in locations]
    assert len(set(every_name)) == len(every_name) and every_name == sorted(every_name)
    assert [name for name in every_name if tag in name] == names
    assert [m["on_hand_after"] for m in ledger] == [1, 3, 6] and ledger_pages == 2
    assert [m["seq"] for m in ledger] == sorted(m["seq"] for m in ledger)


@pytest.mark.parametrize(
    ("path", "cursor"),
    [
        ("/v1/parts", "not-a-cursor"),
        ("/v1/parts", encode_cursor("HP-1\x00")),
        ("/v1/parts", encode_cursor("2026-01-01T00:00:00+00:00", str(uuid.uuid4()))),
        ("/v1/locations", encode_cursor("\x00")),
        ("/v1/locations", encode_cursor("")),
        ("/v1/locations", encode_cursor(7)),
        ("/v1/parts/HP-1/ledger", encode_cursor(-1)),
        ("/v1/parts/HP-1/ledger", encode_cursor(2**63)),
        ("/v1/parts/HP-1/ledger", encode_cursor("1")),
    ],
)
async def test_a_cursor_inventory_never_gave_out_is_422_cursor_invalid(
    stack: ServiceStack, path: str, cursor: str
):
    async with stack.client("inventory", "ops", "ops:read") as ops:
        answer = await ops.get(path, params={"cursor": cursor})
    assert answer.status_code == 422, answer.text
    assert answer.json()["type"].endswith("cursor-invalid")
