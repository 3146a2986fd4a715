"""Who may do what at escalation: one place for its scope checks.

The back office manages calendars, ladders and notification subscriptions
(`escalation:admin`); ops and dashboards read everything (`ops:read`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Security

from shared.auth import Principal, authenticate

EscalationAdmin = Annotated[Principal, Security(authenticate, scopes=["escalation:admin"])]
EscalationReader = Annotated[
    Principal, Security(authenticate, scopes=["escalation:admin", "ops:read"])
]
