"""IN-8 over HTTP: admins keep the manual, the centre and the engineers search it and get suggestions."""

import uuid

import pytest

from tests.support.stack import ServiceStack

pytestmark = pytest.mark.e2e


def article(**overrides) -> dict:
    return {
        "title": "接入交换机端口抖动",
        "body": "现象：交换机端口抖动。Check the SFP module and the patch cable.",
        "category": "network",
        "models": ["S5720-28X"],
        "tags": ["port"],
        "status": "published",
    } | overrides


async def new_ticket(stack: ServiceStack, summary: str, description: str) -> str:
    async with stack.client("intake") as admin:
        customer = await admin.post("/v1/customers", json={"name": "ACME"})
        ticket = await admin.post(
            "/v1/tickets",
            json={
                "customer_id": customer.json()["id"],
                "summary": summary,
                "description": description,
                "channel": "phone",
                "category": "network",
                "impact": "degraded",
            },
        )
    assert ticket.status_code == 201, ticket.text
    return ticket.json()["id"]


async def test_an_admin_writes_revises_and_archives_an_article_and_an_engineer_finds_it(
    stack: ServiceStack,
):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    async with (
        stack.client("intake") as admin,
        stack.client("intake", "engineer-7", "assignments:read") as engineer,
    ):
        created = await admin.post("/v1/knowledge", json=article(), headers=key)
        assert created.status_code == 201, created.text
        replayed = await admin.post("/v1/knowledge", json=article(), headers=key)
        assert (
            replayed.json() == created.json() and replayed.headers["idempotent-replayed"] == "true"
        )
        article_id = created.json()["id"]
        assert created.headers["location"] == f"/v1/knowledge/{article_id}"

        found = await engineer.get("/v1/knowledge", params={"q": "端口"})
        assert [a["id"] for a in found.json()["items"]] == [article_id]
        assert (await engineer.get("/v1/knowledge", params={"q": "sfp MODULE"})).json()["items"][0][
            "id"
        ] == article_id

        revised = await admin.patch(
            f"/v1/knowledge/{article_id}", json={"body": "更换光模块后恢复。"}
        )
        assert revised.status_code == 200 and revised.json()["title"] == "接入交换机端口抖动"
        assert (await engineer.get("/v1/knowledge", params={"q": "SFP"})).json()["items"] == []

        assert (
            await admin.patch(f"/v1/knowledge/{article_id}", json={"status": "archived"})
        ).status_code == 200
        assert (await engineer.get(f"/v1/knowledge/{article_id}")).status_code == 404
        assert (await engineer.get("/v1/knowledge", params={"q": "光模块"})).json()["items"] == []
        assert (await admin.get(f"/v1/knowledge/{article_id}")).json()["status"] == "archived"


async def test_only_admins_write_and_see_drafts(stack: ServiceStack):
    async with stack.client("intake", "call-centre", "tickets:read", "tickets:write") as centre:
        assert (await centre.post("/v1/knowledge", json=article())).status_code == 403
        assert (await centre.get("/v1/knowledge", params={"status": "draft"})).status_code == 403
    async with stack.client("intake", "dispatcher", "dispatch:admin") as stranger:
        assert (await stranger.get("/v1/knowledge")).status_code == 403


async def test_an_empty_query_lists_the_most_recently_updated_first_page_by_page(
    stack: ServiceStack,
):
    async with stack.client("intake") as admin:
        ids = [
            (
                await admin.post(
                    "/v1/knowledge", json=article(title=f"分页 {i}", category="storage")
                )
            ).json()["id"]
            for i in range(3)
        ]
        first = (
            await admin.get("/v1/knowledge", params={"category": "storage", "limit": 2})
        ).json()
        second = (
            await admin.get(
                "/v1/knowledge",
                params={"category": "storage", "limit": 2, "cursor": first["next_cursor"]},
            )
        ).json()
    assert [a["id"] for a in first["items"] + second["items"]] == ids[::-1]


async def test_a_search_pages_title_hits_then_body_hits_with_its_cursor(stack: ServiceStack):
    async with stack.client("intake") as admin:
        body_hit = (
            await admin.post("/v1/knowledge", json=article(title="巡检", body="翻页 检查", tags=[]))
        ).json()["id"]
        title_hits = [
            (await admin.post("/v1/knowledge", json=article(title=f"翻页 {i}", body="x"))).json()[
                "id"
            ]
            for i in range(2)
        ]
        first = (await admin.get("/v1/knowledge", params={"q": "翻页", "limit": 2})).json()
        second = (
            await admin.get(
                "/v1/knowledge", params={"q": "翻页", "limit": 2, "cursor": first["next_cursor"]}
            )
        ).json()
        forged = await admin.get("/v1/knowledge", params={"q": "翻页", "cursor": "WzEsMiwzXQ"})
    assert {a["id"] for a in first["items"]} == set(title_hits)
    assert [a["id"] for a in second["items"]] == [body_hit] and second["next_cursor"] is None
    assert forged.status_code == 422


async def test_a_query_of_ten_thousand_characters_is_refused_before_it_reaches_the_database(
    stack: ServiceStack,
):
    async with stack.client("intake", "call-centre", "tickets:read") as centre:
        # ASCII: 10,000 Chinese characters percent-encoded exceed what a URL may carry anyway
        response = await centre.get("/v1/knowledge", params={"q": "port " * 2_000})
        just_right = await centre.get("/v1/knowledge", params={"q": "端口" * 100})
    assert response.status_code == 422
    assert just_right.status_code == 200
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_ticket_gets_the_article_that_describes_its_symptom_first(stack: ServiceStack):
    async with stack.client("intake") as admin:
        await admin.post("/v1/knowledge", json=article(title="网络设备巡检规范", body="每月一次。"))
        matching = (await admin.post("/v1/knowledge", json=article())).json()["id"]
    ticket_id = await new_ticket(stack, "核心交换机端口抖动", "Uplink port flapping since 09:00")
    async with stack.client("intake", "call-centre", "tickets:read") as centre:
        suggested = await centre.get(f"/v1/tickets/{ticket_id}/suggestions")
        assert suggested.status_code == 200, suggested.text
        assert suggested.json()[0]["id"] == matching
        assert (await centre.get(f"/v1/tickets/{uuid.uuid4()}/suggestions")).status_code == 404


async def test_a_resolved_ticket_becomes_a_draft_once(stack: ServiceStack):
    ticket_id = await new_ticket(stack, "电源模块告警", "冗余电源失效，更换后恢复")
    async with stack.client("intake") as admin:
        assert (
            await admin.post(f"/v1/knowledge/from-ticket/{ticket_id}")
        ).status_code == 409  # not resolved
        resolved = await admin.post(
            f"/v1/tickets/{ticket_id}/resolve",
            json={
                "report": {
                    "work_done": "Replaced the failed module",
                    "root_cause": "Module failure",
                    "fault_type": "hardware",
                }
            },
        )
        assert resolved.status_code == 200, resolved.text
        drafted = await admin.post(f"/v1/knowledge/from-ticket/{ticket_id}")
        assert drafted.status_code == 201, drafted.text
        assert (
            drafted.json()["status"] == "draft" and drafted.json()["source_ticket_id"] == ticket_id
        )
        assert "冗余电源失效" in drafted.json()["body"]
        assert (await admin.post(f"/v1/knowledge/from-ticket/{ticket_id}")).status_code == 409
