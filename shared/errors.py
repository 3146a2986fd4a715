"""The error families every service's rules raise; the HTTP edge maps each to a status.

    DomainError            a business rule said no               -> 422
    ├── InvalidReference   the request names a thing that is not -> 422
    ├── NotFound           the thing does not exist (for you)    -> 404
    ├── Conflict           the state does not allow it now       -> 409
    │                      (an illegal move: name the current status and the allowed moves)
    ├── Gone               it was there, and its time has passed -> 410
    └── Forbidden          you may not do this to this thing     -> 403

Domain modules subclass these with names of their own (`NotAssignable`), so a
rule never imports FastAPI and an endpoint never decides a status by hand.
"""

from __future__ import annotations

from typing import Any

# The members of a problem document: a rule's context becomes extension members beside them.
RESERVED_CONTEXT = frozenset({"type", "title", "status", "detail", "instance", "errors"})


class DomainError(Exception):
    title = "Business rule violated"
    # The problem `type` a client branches on, when a refusal needs one of its own
    # (`insufficient-stock`); None: its family's (`conflict`).
    slug: str | None = None

    def __init__(self, detail: str, **context: Any) -> None:
        if clash := RESERVED_CONTEXT & context.keys():
            # e.g. an illegal move names its `current_status`, not `status` (the HTTP status).
            raise ValueError(
                f"context keys {sorted(clash)} are problem members; name them otherwise"
            )
        super().__init__(detail)
        self.detail = detail
        self.context = context


class InvalidReference(DomainError):
    """A field of the request refers to something that does not exist (an unknown customer id)."""

    title = "Invalid reference"


class NotFound(DomainError):
    title = "Not found"


class Conflict(DomainError):
    title = "Conflict"


class Gone(DomainError):
    title = "Gone"


class Forbidden(DomainError):
    title = "Forbidden"
