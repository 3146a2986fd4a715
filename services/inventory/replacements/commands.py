"""What a route asks of replacement orders (IV-3)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, slots=True)
class DeliverReplacement:
    replacement_id: UUID
