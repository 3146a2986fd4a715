"""Bearer JWT authentication and scope checks.

Production verifies tokens against the identity provider's JWKS URL; development
and tests use a local HS256 secret. Scopes name what a client kind may do:

    call-centre   tickets:read tickets:write
    CRM sync      customers:read customers:write        (call-centre software copying its CRM)
    engineer      assignments:read assignments:write   (sub = engineer id)
    vendor        parts:read                            (vendor = vendor code)
    ops           ops:read sla:read tickets:read
    managers      sla:read                              (sub = e-mail: ladder contacts acknowledge)
    back office   dispatch:admin escalation:admin inventory:admin admin

`admin` passes every scope check. A route names the scopes any one of which suffices.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

import jwt
from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes

from shared.http.problems import Problem
from shared.settings import Environment, Settings

log = logging.getLogger(__name__)

SCOPES = {
    "tickets:read": "Read tickets",
    "tickets:write": "Create and change tickets",
    "customers:read": "Read customers",
    "customers:write": "Register customers (call-centre software syncing its CRM)",
    "assignments:read": "Read assignments (engineers: their own)",
    "assignments:write": "Accept and report on assignments (engineers: their own)",
    "dispatch:admin": "Manage engineers and assign work",
    "sla:read": "Read SLA clocks and escalation ladders",
    "escalation:admin": "Manage calendars and notification subscriptions; acknowledge any "
    "ticket's escalation",
    "parts:read": "Read part availability (vendors: their own parts)",
    "inventory:admin": "Manage parts and stock",
    "ops:read": "Read everything, change nothing",
    "admin": "Everything",
}

_bearer = HTTPBearer(auto_error=False, description="JWT with the scopes the endpoint names")


@dataclass(frozen=True, slots=True)
class Principal:
    sub: str
    scopes: frozenset[str]
    vendor: str | None = None

    def has(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes

    def has_any(self, *scopes: str) -> bool:
        return any(self.has(s) for s in scopes)


def issue_dev_token(
    settings: Settings,
    sub: str,
    scopes: list[str] | str,
    *,
    ttl_s: int = 86_400,
    vendor: str | None = None,
) -> str:
    if settings.jwt_secret is None:
        raise RuntimeError(
            "development tokens need FIELDOPS_JWT_SECRET (JWKS deployments get tokens from their IdP)"
        )
    scope = scopes if isinstance(scopes, str) else " ".join(scopes)
    now = int(time.time())
    claims = {
        "sub": sub,
        "scope": scope,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl_s,
        "jti": str(uuid.uuid4()),
    }
    if vendor:
        claims["vendor"] = vendor
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=300)


# RFC 6749 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), joined by single spaces (%x20).
_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")


class TokenRejected(Exception):
    """Why a token was refused: logged at debug, never shown to the caller."""


def _scopes(claim: object) -> frozenset[str]:
    # Anything but these two shapes is refused whole: reading "tickets:write\u2003admin" or a
    # tab-separated string the way str.split() would could grant a scope the issuer never wrote.
    if claim == "":
        return frozenset()
    if isinstance(claim, str):
        tokens = claim.split(" ")
    elif isinstance(claim, list) and all(isinstance(t, str) for t in claim):
        tokens = claim
    else:
        raise TokenRejected(f"scope claim of type {type(claim).__name__}")
    if not all(_SCOPE_TOKEN.fullmatch(t) for t in tokens):
        raise TokenRejected(
            "scope claim with an empty token, other whitespace or a control character"
        )
    return frozenset(tokens)


def _claims(token: str, settings: Settings) -> dict[str, Any]:
    options: Any = {"require": ["exp", "sub"]}
    if settings.jwt_jwks_url:
        key = _jwks_client(settings.jwt_jwks_url).get_signing_key_from_jwt(token).key
        return jwt.decode(
            token,
            key,
            algorithms=["RS256", "ES256"],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options=options,
        )
    if settings.jwt_secret is None:
        raise TokenRejected("no JWT secret and no JWKS URL configured")
    return jwt.decode(
        token,
        settings.jwt_secret.get_secret_value(),
        algorithms=["HS256"],
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
        options=options,
    )


def verify_with_expiry(token: str, settings: Settings) -> tuple[Principal, float]:
    try:
        try:
            claims = _claims(token, settings)
        except jwt.PyJWTError as exc:
            raise TokenRejected(str(exc)) from exc
        vendor = claims.get("vendor")
        if vendor is not None and not isinstance(vendor, str):
            raise TokenRejected(f"vendor claim of type {type(vendor).__name__}")
        principal = Principal(
            sub=str(claims["sub"]), scopes=_scopes(claims.get("scope", "")), vendor=vendor
        )
    except TokenRejected as exc:
        # The reason helps whoever debugs an integration; the caller learns nothing an attacker could use.
        log.debug("token rejected: %s", exc)
        raise _unauthorized(
            "the Bearer token is not valid (forged, expired, or not for this service)"
        ) from None
    return principal, float(claims["exp"])


def require_token_verifier(settings: Settings) -> None:
    """Refuse to serve without a way to verify tokens; warn when a development key listens beyond loopback."""
    if settings.jwt_secret is None and not settings.jwt_jwks_url:
        raise RuntimeError(
            "no FIELDOPS_JWT_SECRET and no FIELDOPS_JWT_JWKS_URL: refusing to start "
            "(`fieldops up` keeps a development secret in .fieldops/jwt-secret)"
        )
    if settings.environment is not Environment.production and not _is_loopback(settings.host):
        log.warning(
            "a %s service is listening on %s, beyond loopback: its tokens are development tokens; "
            "set FIELDOPS_ENVIRONMENT=production with a JWKS URL or a strong secret",
            settings.environment.value,
            settings.host,
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def document_scope_alternatives(app: FastAPI) -> None:
    """One OpenAPI security requirement per scope a route accepts.

    FastAPI merges a route's scopes into one requirement, which OpenAPI reads as "all of
    these"; `authenticate` wants any one of them, and a list of requirements means exactly that.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        document = generate()
        for path_item in document.get("paths", {}).values():
            for operation in path_item.values():
                if isinstance(operation, dict) and "security" in operation:
                    operation["security"] = [
                        alternative
                        for requirement in operation["security"]
                        for alternative in _alternatives(requirement)
                    ]
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _alternatives(requirement: dict[str, list[str]]) -> list[dict[str, list[str]]]:
    if len(requirement) != 1:
        return [requirement]  # several schemes in one requirement are all needed: not ours to split
    [(scheme, scopes)] = requirement.items()
    return [{scheme: [scope]} for scope in scopes] or [requirement]


class VerifiedTokens:
    """Tokens already verified, until they expire: a call centre sends the same token for hours,
    and checking its signature again on every request costs more than the rest of the auth."""

    def __init__(self, settings: Settings, max_size: int = 4096) -> None:
        self.settings = settings
        self.max_size = max_size
        self._known: dict[str, tuple[Principal, float]] = {}

    def principal(self, token: str) -> Principal:
        now = time.time()
        known = self._known.get(token)
        if known is not None and known[1] > now:
            return known[0]
        principal, expires = verify_with_expiry(token, self.settings)
        if len(self._known) >= self.max_size:
            self._known.clear()  # bounded; a burst of new tokens simply re-verifies
        self._known[token] = (principal, expires)
        return principal


def _unauthorized(detail: str) -> Problem:
    return Problem(401, "unauthorized", detail, headers={"WWW-Authenticate": "Bearer"})


async def authenticate(
    request: Request,
    security: SecurityScopes,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("a Bearer token is required")
    runtime = request.app.state.runtime
    principal = runtime.resource(
        "verified-tokens", lambda rt: VerifiedTokens(rt.settings)
    ).principal(credentials.credentials)
    if security.scopes and not principal.has_any(*security.scopes):
        raise Problem(
            403,
            "insufficient-scope",
            f"this needs one of the scopes: {' '.join(security.scopes)}",
            headers={
                "WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{security.scope_str}"'
            },
        )
    return principal
