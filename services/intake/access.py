"""Who may do what at the service centre: one place for intake's scope checks.

Call-centre software syncs customers, their duty contacts and sites from its CRM, so it
gets `customers:write` without the back office's `admin` (which passes every check).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Security

from shared.auth import Principal, authenticate

Admin = Annotated[Principal, Security(authenticate, scopes=["admin"])]
CustomerWriter = Annotated[Principal, Security(authenticate, scopes=["customers:write"])]
CustomerReader = Annotated[
    Principal, Security(authenticate, scopes=["customers:read", "tickets:read", "ops:read"])
]
TicketWriter = Annotated[Principal, Security(authenticate, scopes=["tickets:write"])]
TicketReader = Annotated[Principal, Security(authenticate, scopes=["tickets:read", "ops:read"])]
