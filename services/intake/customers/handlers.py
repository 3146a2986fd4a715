"""Customers: the companies whose faults intake records. Never commit."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from services.intake.customers import store
from services.intake.customers.commands import CreateCustomer
from shared.db import UnitOfWork
from shared.events.base import Event

Created = tuple[dict[str, Any], list[Event]]


async def create_customer(uow: UnitOfWork, command: CreateCustomer) -> Created:
    return await store.insert(uow.conn, uuid.uuid4(), command.name, command.region, uow.now), []


async def get_customer(uow: UnitOfWork, customer_id: UUID) -> dict[str, Any] | None:
    return await store.get(uow.conn, customer_id)
