"""Bearer JWT authentication and scope checks.

Production verifies tokens against the identity provider's JWKS URL; development
and tests use a local HS256 secret. Scopes name what a client kind may do:

    call-centre   tickets:read tickets:write
    engineer      assignments:read assignments:write   (sub = engineer id)
    vendor        parts:read                            (vendor = vendor code)
    ops           ops:read sla:read tickets:read
    back office   dispatch:admin inventory:admin admin

`admin` passes every scope check.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes

from shared.http.problems import Problem
from shared.settings import Settings

SCOPES = {
    "tickets:read": "Read tickets",
    "tickets:write": "Create and change tickets",
    "assignments:read": "Read assignments (engineers: their own)",
    "assignments:write": "Accept and report on assignments (engineers: their own)",
    "dispatch:admin": "Manage engineers and assign work",
    "sla:read": "Read SLA clocks",
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


def verify_with_expiry(token: str, settings: Settings) -> tuple[Principal, float]:
    options: jwt.types.Options = {"require": ["exp", "sub"]}
    try:
        if settings.jwt_jwks_url:
            key = _jwks_client(settings.jwt_jwks_url).get_signing_key_from_jwt(token).key
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256", "ES256"],
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
                options=options,
            )
        else:
            claims = jwt.decode(
                token,
                settings.jwt_secret.get_secret_value(),  # type: ignore[union-attr]
                algorithms=["HS256"],
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
                options=options,
            )
    except jwt.PyJWTError as exc:
        raise _unauthorized(f"token rejected: {exc}") from exc
    scope = claims.get("scope", "")
    scopes = scope.split() if isinstance(scope, str) else list(scope)
    principal = Principal(
        sub=str(claims["sub"]), scopes=frozenset(scopes), vendor=claims.get("vendor")
    )
    return principal, float(claims["exp"])


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
