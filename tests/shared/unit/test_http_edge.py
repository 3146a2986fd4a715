"""What the shared HTTP edge answers before and around every route, on the ASGI app in-process.

These need no database: each request here is answered by the edge, the router or
the problem handlers before a route would touch the runtime. The 413 as a real
server and a real client see it is in tests/e2e/test_edge_limits.py.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Query, Response
from pydantic import BaseModel

from services.dispatch.app import SPEC as DISPATCH
from services.escalation.app import SPEC as ESCALATION
from services.intake.app import SPEC as INTAKE
from services.inventory.app import SPEC as INVENTORY
from shared.http.routing import api_router
from shared.service import ServiceSpec
from shared.settings import Settings

MiB = 1024 * 1024
SPECS = {spec.name: spec for spec in (INTAKE, DISPATCH, ESCALATION, INVENTORY)}


class Thing(BaseModel):
    name: str


def _probe_spec() -> ServiceSpec:
    """Routes that answer without a runtime, to see the edge's work on a 200, 201 and 304."""
    router = api_router()

    @router.get("/things")
    async def things(
        limit: int = 10, tag: Annotated[list[str] | None, Query()] = None
    ) -> dict[str, Any]:
        return {"limit": limit, "tags": tag or []}

    @router.post("/things", status_code=201)
    async def create_thing(thing: Thing) -> Thing:
        return thing

    @router.get("/cached")
    async def cached() -> Response:
        return Response(
            b"{}", media_type="application/json", headers={"Cache-Control": "max-age=60"}
        )

    return ServiceSpec(name="intake", title="probe", description="edge probe", routers=[router])


def app_of(spec: ServiceSpec, **settings: Any) -> FastAPI:
    return spec.create_app(Settings(service=spec.name, environment="test", **settings))


def client(app: FastAPI) -> httpx.AsyncClient:
    # No lifespan: nothing here may need the database or the broker.
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.fixture
async def probe() -> AsyncIterator[httpx.AsyncClient]:
    async with client(app_of(_probe_spec())) as http:
        yield http


# --- Cache-Control and X-Content-Type-Options ---------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/v1/things", None, 200),
        ("POST", "/v1/things", {"name": "x"}, 201),
        ("POST", "/v1/things", {"nom": "x"}, 422),
        ("GET", "/v1/nowhere", None, 404),
        ("GET", "/healthz", None, 200),
        ("GET", "/openapi.json", None, 200),
        ("DELETE", "/v1/things", None, 405),
    ],
)
async def test_every_answer_is_no_store_and_nosniff(probe, method, path, body, status):
    response = await probe.request(method, path, json=body)
    assert response.status_code == status, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_an_answer_with_its_own_cache_policy_keeps_it(probe):
    response = await probe.get("/v1/cached")
    assert response.headers.get_list("cache-control") == ["max-age=60"]
    assert response.headers["x-content-type-options"] == "nosniff"


# --- 413: one problem, whichever way the size is found out -------------------------------------------


async def test_a_declared_and_a_counted_oversized_body_get_the_same_problem(probe):
    oversized = b'{"name": "' + b"x" * (2 * MiB) + b'"}'

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(oversized), 65536):
            yield oversized[start : start + 65536]

    declared = await probe.post(
        "/v1/things", content=oversized, headers={"content-type": "application/json"}
    )
    counted = await probe.post(
        "/v1/things", content=chunks(), headers={"content-type": "application/json"}
    )
    for response in (declared, counted):
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["connection"] == "close"
    assert (
        declared.json()
        == counted.json()
        == {
            "type": "urn:fieldops:problem:payload-too-large",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"the body exceeds {MiB} bytes",
            "instance": "/v1/things",
        }
    )


# --- 405 names what the path allows ------------------------------------------------------------------


def _documented_operations() -> list[tuple[str, str, set[str]]]:
    cases = []
    for name, spec in SPECS.items():
        for path, operations in app_of(spec).openapi()["paths"].items():
            concrete = re.sub(r"\{[^}]+\}", "HP-1", path)
            cases.append((name, concrete, {method.upper() for method in operations}))
    return cases


@pytest.mark.parametrize(("service", "path", "documented"), _documented_operations())
async def test_a_405_allows_exactly_the_methods_the_path_has(service, path, documented):
    refused = next(m for m in ("PATCH", "PUT", "DELETE") if m not in documented)
    async with client(app_of(SPECS[service])) as http:
        response = await http.request(refused, path)
    assert response.status_code == 405, response.text
    assert response.headers["content-type"] == "application/problem+json"
    allowed = set(response.headers["allow"].split(", "))
    assert allowed == documented
    assert all(method in response.json()["detail"] for method in documented)


async def test_a_405_on_tickets_names_both_get_and_post():
    async with client(app_of(INTAKE)) as http:
        response = await http.delete("/v1/tickets")
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["detail"] == "DELETE is not allowed on this path; allowed: GET, POST"


# --- a scalar query parameter is given once -------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "path"), [("intake", "/v1/tickets"), ("dispatch", "/v1/me/assignments")]
)
async def test_a_repeated_limit_is_422_naming_it(service, path):
    async with client(app_of(SPECS[service])) as http:
        response = await http.get(path, params=[("limit", "500"), ("limit", "1")])
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [(e["location"], e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("query", "limit", "repeated")
    ]


async def test_a_list_parameter_may_repeat_and_a_scalar_once_is_fine(probe):
    response = await probe.get("/v1/things", params=[("tag", "a"), ("tag", "b"), ("limit", "3")])
    assert response.status_code == 200, response.text
    assert response.json() == {"limit": 3, "tags": ["a", "b"]}


async def test_a_repeated_and_an_unknown_parameter_are_named_together(probe):
    response = await probe.get("/v1/things", params=[("limit", "1"), ("limit", "2"), ("limt", "3")])
    assert response.status_code == 422
    assert sorted((e["field"], e["code"]) for e in response.json()["errors"]) == [
        ("limit", "repeated"),
        ("limt", "extra_forbidden"),
    ]


# --- CORS ---------------------------------------------------------------------------------------------

DASHBOARD = "https://dashboard.example.com"
PREFLIGHT = {
    "Origin": DASHBOARD,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type, idempotency-key, if-none-match",
}


async def test_cors_is_off_by_default(probe):
    simple = await probe.get("/v1/things", headers={"Origin": DASHBOARD})
    preflight = await probe.options("/v1/things", headers=PREFLIGHT)
    for response in (simple, preflight):
        assert not [name for name in response.headers if name.startswith("access-control-")]
    assert preflight.status_code == 405


async def test_an_allowed_origin_may_send_the_api_headers_and_read_its_answers():
    async with client(app_of(_probe_spec(), cors_origins=[DASHBOARD])) as http:
        preflight = await http.options("/v1/things", headers=PREFLIGHT)
        simple = await http.get("/v1/things", headers={"Origin": DASHBOARD})
        too_large = await http.post(
            "/v1/things",
            content=b"x" * (MiB + 1),
            headers={"Origin": DASHBOARD, "content-type": "application/json"},
        )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == DASHBOARD
    allowed = {
        h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")
    }
    assert {"authorization", "content-type", "idempotency-key", "if-none-match"} <= allowed
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert simple.headers["access-control-allow-origin"] == DASHBOARD
    exposed = {
        h.strip().lower() for h in simple.headers["access-control-expose-headers"].split(",")
    }
    assert exposed == {"etag", "location", "x-trace-id", "idempotent-replayed", "retry-after"}
    # What the edge refuses before routing still reaches the page.
    assert too_large.status_code == 413
    assert too_large.headers["access-control-allow-origin"] == DASHBOARD


async def test_another_origin_is_not_allowed():
    async with client(app_of(_probe_spec(), cors_origins=[DASHBOARD])) as http:
        preflight = await http.options(
            "/v1/things", headers={**PREFLIGHT, "Origin": "https://evil.example"}
        )
        simple = await http.get("/v1/things", headers={"Origin": "https://evil.example"})
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in simple.headers


def test_the_origins_are_read_comma_separated_from_the_environment(monkeypatch):
    monkeypatch.setenv("FIELDOPS_CORS_ORIGINS", "https://a.example, http://localhost:3000/")
    assert Settings().cors_origins == ["https://a.example", "http://localhost:3000"]
    monkeypatch.delenv("FIELDOPS_CORS_ORIGINS")
    assert Settings().cors_origins == []


# --- /docs without internet ----------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_docs_load_every_asset_from_the_service_itself_without_a_token(probe, page):
    response = await probe.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", response.text)
    urls += re.findall(
        r"""url:\s*["']([^"']+)["']""", response.text
    )  # the OpenAPI document, in the script
    urls += re.findall(r"""spec-url\s*=\s*["']([^"']+)["']""", response.text)
    assert urls
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = await probe.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].split(";")[0] in {
            "text/javascript",
            "text/css",
            "image/png",
            "application/json",
        }, url
    assert not re.search(r"https?://", response.text)
    # Only the package's own files: not a way to read whatever sits beside them.
    assert (await probe.get("/docs/assets/__init__.py")).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        (
            "PATCH",
            "/v1/parts/HP-1/availability",
            405,
        ),  # the vendors' route, not part "HP-1/availability"
        ("GET", "/v1/parts/HP-1/reorder-points", 405),
        ("POST", "/v1/parts/A%0AB/reorder-points", 404),  # no `:path` takes a newline
        ("POST", "/v1/parts/A%0AB", 404),
    ],
)
async def test_a_part_numbers_routes_never_take_a_request_for_a_route_below_a_part(
    method, path, status
):
    async with client(app_of(INVENTORY)) as http:
        response = await http.request(method, path)
    assert response.status_code == status, response.text
