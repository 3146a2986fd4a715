"""What inventory keeps of a contract for its rules. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Waiver:
    """IV-4: the end customer's written permission for third-party or refurbished parts."""

    reference: str
    signed_by: str
    signed_at: datetime
