"""What the SLA timer (or any caller) asks of the clocks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FireClocks:
    """Announce every threshold clocks reached by now, at most `limit` clocks at a time."""

    limit: int = 200
