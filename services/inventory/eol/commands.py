"""What a route asks of end-of-life announcements (IV-5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class AnnounceEol:
    manufacturer: str
    part_number: str | None
    model: str | None
    end_of_production: date
    by: str
    # The caller's vendor claim (None for staff) and whether it may speak for any maker.
    vendor: str | None
    is_admin: bool
