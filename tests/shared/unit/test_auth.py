"""Tokens, scopes and the JWT secret: what is accepted, what is refused, and what a refusal says."""

import importlib
import logging
import secrets
import time

import jwt
import pytest
from pydantic import ValidationError

from shared.auth import (
    document_scope_alternatives,
    issue_dev_token,
    require_token_verifier,
    verify_with_expiry,
)
from shared.http.problems import Problem
from shared.settings import PUBLISHED_SECRETS, SERVICES, Settings

SECRET = secrets.token_urlsafe(48)
GENERIC_DETAIL = "the Bearer token is not valid (forged, expired, or not for this service)"


@pytest.fixture(autouse=True)
def no_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "FIELDOPS_JWT_SECRET",
        "FIELDOPS_JWT_JWKS_URL",
        "FIELDOPS_ENVIRONMENT",
        "FIELDOPS_HOST",
    ):
        monkeypatch.delenv(name, raising=False)


def signed(claims: dict, key: str = SECRET) -> str:
    now = int(time.time())
    return jwt.encode(
        {
            "sub": "someone",
            "iss": "fieldops",
            "aud": "fieldops",
            "iat": now,
            "exp": now + 60,
            **claims,
        },
        key,
        algorithm="HS256",
    )


def settings(**given) -> Settings:
    return Settings(**{"jwt_secret": SECRET, **given})


def refused(token: str) -> Problem:
    with pytest.raises(Problem) as caught:
        verify_with_expiry(token, settings())
    return caught.value


# --- the scope claim ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scope",
    [
        None,
        0,
        1,
        2.5,
        True,
        False,
        ["admin", ["admin"]],
        [["admin"]],
        {"admin": True},
        {},
        ["admin", 1],
        ["admin", None],
    ],
    ids=repr,
)
def test_a_scope_claim_that_is_neither_a_string_nor_a_list_of_strings_is_401(scope):
    problem = refused(signed({"scope": scope}))
    assert (problem.status, problem.slug, problem.detail) == (401, "unauthorized", GENERIC_DETAIL)
    assert problem.headers == {"WWW-Authenticate": "Bearer"}


@pytest.mark.parametrize(
    "scope",
    [
        "tickets:write\u2003admin",
        "tickets:write\tadmin",
        "tickets:write\nadmin",
        "tickets:write\u00a0admin",
        "tickets:write  admin",
        " admin",
        "admin ",
        "tickets:write\x00admin",
        "tickets:write\x7fadmin",
        "ädmin",
        ["tickets:write admin"],
        ["admin\t"],
        [""],
        ["tickets:write", ""],
    ],
    ids=repr,
)
def test_scopes_joined_by_anything_but_single_spaces_are_401_not_admin(scope):
    problem = refused(signed({"scope": scope}))
    assert (problem.status, problem.detail) == (401, GENERIC_DETAIL)


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("tickets:write tickets:read", {"tickets:write", "tickets:read"}),
        (["tickets:write", "admin"], {"tickets:write", "admin"}),
        ("ops:read", {"ops:read"}),
        ("", set()),
        ([], set()),
    ],
)
def test_a_scope_string_separated_by_single_spaces_or_a_list_of_strings_is_read_as_written(
    scope, expected
):
    principal, _ = verify_with_expiry(signed({"scope": scope}), settings())
    assert principal.scopes == expected


def test_a_token_without_a_scope_claim_has_no_scopes():
    principal, _ = verify_with_expiry(signed({}), settings())
    assert principal.scopes == frozenset() and not principal.has("tickets:read")


@pytest.mark.parametrize("vendor", [1, True, ["HP"], {"code": "HP"}], ids=repr)
def test_a_vendor_claim_that_is_not_a_string_is_401(vendor):
    assert refused(signed({"scope": "parts:read", "vendor": vendor})).status == 401


# --- what a 401 says -------------------------------------------------------------------------------


def test_every_rejected_token_gets_the_same_detail_and_the_reason_is_logged_at_debug_without_the_token(
    caplog,
):
    now = int(time.time())
    tokens = {
        "forged": signed({"scope": "admin"}, key=secrets.token_urlsafe(48)),
        "expired": signed({"scope": "admin", "exp": now - 10}),
        "other audience": signed({"scope": "admin", "aud": "someone-else"}),
        "not a JWT": "not-a-jwt",
        "scope null": signed({"scope": None}),
    }
    caplog.set_level(logging.DEBUG, logger="shared.auth")
    for token in tokens.values():
        problem = refused(token)
        assert problem.detail == GENERIC_DETAIL
    reasons = [r.getMessage() for r in caplog.records if r.name == "shared.auth"]
    assert len(reasons) == len(tokens) and all(r.startswith("token rejected: ") for r in reasons)
    assert any("expired" in r for r in reasons) and any(
        "scope claim of type NoneType" in r for r in reasons
    )
    for token in tokens.values():
        assert not any(token in r or token.rsplit(".", 1)[-1] in r for r in reasons)
    assert all(r.levelno == logging.DEBUG for r in caplog.records if r.name == "shared.auth")


# --- the secret ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("secret", ["a", "changeme", "x" * 31, secrets.token_hex(15) + "a"])
def test_production_refuses_a_secret_shorter_than_32_bytes_or_a_default(secret):
    with pytest.raises(ValidationError, match="FIELDOPS_JWT_SECRET"):
        Settings(environment="production", jwt_secret=secret)


@pytest.mark.parametrize("environment", ["development", "test", "production"])
@pytest.mark.parametrize("secret", sorted(PUBLISHED_SECRETS))
def test_a_published_secret_is_refused_in_every_environment(environment, secret):
    with pytest.raises(ValidationError, match="published"):
        Settings(environment=environment, jwt_secret=secret)


def test_the_secret_this_repository_once_printed_is_refused_in_development():
    with pytest.raises(ValidationError, match="published"):
        Settings(jwt_secret="fieldops-development-secret-change-me-0123456789")


def test_production_accepts_32_random_bytes():
    secret = secrets.token_hex(16)
    assert len(secret.encode()) == 32
    assert (
        Settings(environment="production", jwt_secret=secret).jwt_secret.get_secret_value()
        == secret
    )


def test_production_without_a_secret_or_a_jwks_url_is_refused():
    with pytest.raises(ValidationError, match="FIELDOPS_JWT_JWKS_URL or FIELDOPS_JWT_SECRET"):
        Settings(environment="production")


@pytest.mark.parametrize("environment", ["development", "test", "production"])
def test_no_environment_falls_back_to_a_default_secret(environment):
    given = {"jwt_jwks_url": "https://idp.example/jwks"} if environment == "production" else {}
    assert Settings(environment=environment, **given).jwt_secret is None


@pytest.mark.parametrize("environment", ["development", "test"])
def test_a_service_with_no_secret_and_no_jwks_url_refuses_to_start(environment):
    with pytest.raises(RuntimeError, match="refusing to start"):
        require_token_verifier(Settings(environment=environment))


def test_a_service_with_a_jwks_url_and_no_secret_starts():
    require_token_verifier(Settings(jwt_jwks_url="https://idp.example/jwks"))


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "fieldops.example"])
def test_a_development_service_bound_beyond_loopback_warns(host, caplog):
    caplog.set_level(logging.WARNING, logger="shared.auth")
    require_token_verifier(settings(host=host))
    [warning] = [r for r in caplog.records if r.name == "shared.auth"]
    assert warning.levelno == logging.WARNING and "beyond loopback" in warning.getMessage()
    assert SECRET not in warning.getMessage()


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_a_development_service_on_loopback_does_not_warn(host, caplog):
    caplog.set_level(logging.WARNING, logger="shared.auth")
    require_token_verifier(settings(host=host))
    assert [r for r in caplog.records if r.name == "shared.auth"] == []


def test_a_production_service_beyond_loopback_does_not_warn(caplog):
    caplog.set_level(logging.WARNING, logger="shared.auth")
    require_token_verifier(settings(environment="production", host="0.0.0.0"))
    assert [r for r in caplog.records if r.name == "shared.auth"] == []


def test_development_tokens_are_signed_with_the_given_secret_only():
    token = issue_dev_token(settings(), "call-centre", ["tickets:write"])
    assert verify_with_expiry(token, settings())[0].scopes == {"tickets:write"}
    with pytest.raises(Problem):
        verify_with_expiry(token, Settings(jwt_secret=secrets.token_urlsafe(48)))
    with pytest.raises(RuntimeError):
        issue_dev_token(Settings(), "call-centre", ["tickets:write"])


# --- OpenAPI ------------------------------------------------------------------------------------------


def requirements(service: str) -> dict[str, list[dict[str, list[str]]]]:
    spec = importlib.import_module(f"services.{service}.app").SPEC
    document = spec.create_app(settings(service=service)).openapi()
    return {
        f"{method.upper()} {path}": operation["security"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "security" in operation
    }


@pytest.mark.parametrize("service", SERVICES)
def test_each_accepted_scope_is_a_security_requirement_of_its_own(service):
    found = requirements(service)
    assert found, "no protected route documented"
    for route, alternatives in found.items():
        assert all(
            len(scopes) <= 1 for requirement in alternatives for scopes in requirement.values()
        ), route


def test_a_route_any_of_whose_scopes_suffices_lists_them_as_alternatives():
    assert requirements("intake")["GET /v1/tickets"] == [
        {"HTTPBearer": ["tickets:read"]},
        {"HTTPBearer": ["ops:read"]},
    ]


def test_the_alternatives_survive_generating_the_document_twice():
    from typing import Annotated

    from fastapi import FastAPI, Security

    from shared.auth import Principal, authenticate

    app = FastAPI()

    @app.get("/x")
    async def x(
        principal: Annotated[Principal, Security(authenticate, scopes=["a:read", "b:read"])],
    ) -> None: ...

    document_scope_alternatives(app)
    first = app.openapi()["paths"]["/x"]["get"]["security"]
    assert (
        app.openapi()["paths"]["/x"]["get"]["security"]
        == first
        == [{"HTTPBearer": ["a:read"]}, {"HTTPBearer": ["b:read"]}]
    )


def test_customers_can_be_registered_with_the_crm_scope():
    found = requirements("intake")
    assert found["POST /v1/customers"] == [{"HTTPBearer": ["customers:write"]}]
    assert {"HTTPBearer": ["customers:read"]} in found["GET /v1/customers/{customer_id}"]
