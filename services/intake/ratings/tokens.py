"""Rating links as signed tokens (PyJWT, HS256) with an audience of their own.

The key is `FIELDOPS_RATING_SECRET`, or else one derived from the JWT secret with HMAC: a
rating token never verifies as an access token, nor an access token as a rating token.
Expiry is checked by the caller against the business clock (`uow.now`), not by PyJWT's
wall clock, so tests move time instead of sleeping.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import jwt

from services.intake.ratings.rules import Link, LinkInvalid
from shared.settings import Settings

AUDIENCE = "fieldops:rating-link"
_DERIVATION_LABEL = b"fieldops rating links v1"


class RatingKeyMissing(RuntimeError):
    """Neither a rating secret nor a JWT secret: a JWKS deployment must set FIELDOPS_RATING_SECRET."""


@dataclass(frozen=True, slots=True)
class Claims:
    ticket_id: UUID
    expires_at: datetime


def signing_key(settings: Settings) -> bytes:
    if settings.rating_secret is not None:
        return settings.rating_secret.get_secret_value().encode()
    if settings.jwt_secret is not None:
        return hmac.new(
            settings.jwt_secret.get_secret_value().encode(), _DERIVATION_LABEL, hashlib.sha256
        ).digest()
    raise RatingKeyMissing("set FIELDOPS_RATING_SECRET to issue rating links")


def encode(link: Link, key: bytes) -> str:
    """Deterministic for a link: the same row always gives the same token."""
    claims = {
        "aud": AUDIENCE,
        "sub": str(link.ticket_id),
        "iat": int(link.issued_at.timestamp()),
        "exp": int(link.expires_at.timestamp()),
    }
    return jwt.encode(claims, key, algorithm="HS256")


def decode(token: str, key: bytes) -> Claims:
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=["HS256"],
            audience=AUDIENCE,
            options={
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "require": ["aud", "sub", "iat", "exp"],
            },
        )
        return Claims(
            ticket_id=UUID(claims["sub"]),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )
    except (jwt.PyJWTError, ValueError, TypeError, OverflowError, OSError):
        raise LinkInvalid("no such rating link") from None
