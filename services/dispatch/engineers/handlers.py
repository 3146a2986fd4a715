"""Engineers: registered by the support team with their skills and region. Never commit."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from services.dispatch.engineers import store
from services.dispatch.engineers.commands import RegisterEngineer
from shared.db import UnitOfWork
from shared.events.base import Event

Created = tuple[dict[str, Any], list[Event]]


async def register_engineer(uow: UnitOfWork, command: RegisterEngineer) -> Created:
    engineer = await store.insert(
        uow.conn,
        uuid.uuid4(),
        command.name,
        (s.value for s in command.skills),
        command.region,
        uow.now,
    )
    return engineer, []


async def get_engineer(uow: UnitOfWork, engineer_id: UUID) -> dict[str, Any] | None:
    return await store.get(uow.conn, engineer_id)
