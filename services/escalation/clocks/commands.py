"""What the breach timer (or any caller) asks of the SLA clocks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FireBreaches:
    """Mark clocks overdue by now as breached, at most `limit` at a time."""

    limit: int = 200
