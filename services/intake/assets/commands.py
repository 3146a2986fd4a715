"""What a route or an installation record asks of the installed base."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID


@dataclass(frozen=True, slots=True)
class RegisterAsset:
    customer_id: UUID
    site_id: UUID
    contract_id: UUID
    manufacturer: str
    model: str
    serial: str
    accepted_on: date
    warranty_end: date | None = None  # IN-10: one year after acceptance when not given


@dataclass(frozen=True, slots=True)
class UpdateAsset:
    asset_id: UUID
    changes: Mapping[
        str, Any
    ]  # site, contract, model, acceptance, warranty end; never serial or maker
