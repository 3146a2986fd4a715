"""The error families every service's rules raise; the HTTP edge maps each to a status.

    DomainError            a business rule said no               -> 422
    ├── NotFound           the thing does not exist (for you)    -> 404
    ├── Conflict           the state does not allow it now       -> 409
    └── Forbidden          you may not do this to this thing     -> 403

Domain modules subclass these with names of their own (`NotAssignable`), so a
rule never imports FastAPI and an endpoint never decides a status by hand.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    title = "Business rule violated"

    def __init__(self, detail: str, **context: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.context = context


class NotFound(DomainError):
    title = "Not found"


class Conflict(DomainError):
    title = "Conflict"


class Forbidden(DomainError):
    title = "Forbidden"
