"""Who is asking dispatch: the support team and ops see all; an engineer, only their own."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Security

from shared.auth import Principal, authenticate
from shared.http.problems import Problem

DispatchAdmin = Annotated[Principal, Security(authenticate, scopes=["dispatch:admin"])]
AssignmentReader = Annotated[
    Principal, Security(authenticate, scopes=["assignments:read", "dispatch:admin", "ops:read"])
]
BoardReader = Annotated[Principal, Security(authenticate, scopes=["dispatch:admin", "ops:read"])]
AssignmentWriter = Annotated[
    Principal, Security(authenticate, scopes=["assignments:write", "dispatch:admin"])
]


def own_engineer_id(principal: Principal) -> UUID | None:
    """None for the support team and ops (they see all); the engineer's id otherwise."""
    if principal.has_any("dispatch:admin", "ops:read"):
        return None
    return engineer_id_of(principal)


def engineer_id_of(principal: Principal) -> UUID:
    try:
        return UUID(principal.sub)
    except ValueError:
        raise Problem(
            403, "not-an-engineer", "this token's subject is not an engineer id"
        ) from None
