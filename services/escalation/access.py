"""Who may do what in escalation: one place for its scope checks.

`escalation:admin` is the service manager's: calendars, ladders and notification
subscriptions. SLAs are read with `sla:read`; ops and dashboards read everything (`ops:read`).
`admin` passes all.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Security

from shared.auth import Principal, authenticate

EscalationAdmin = Annotated[Principal, Security(authenticate, scopes=["escalation:admin"])]
SlaReader = Annotated[
    Principal, Security(authenticate, scopes=["sla:read", "ops:read", "escalation:admin"])
]
EscalationReader = Annotated[
    Principal, Security(authenticate, scopes=["escalation:admin", "ops:read"])
]
