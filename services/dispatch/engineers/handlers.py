"""Engineers: the support team's roster, with skills, teams, shifts and load. Never commit."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from services.dispatch.engineers import store
from services.dispatch.engineers.commands import RegisterEngineer, UpdateEngineer
from services.dispatch.engineers.rules import shift_calendar
from shared.db import UnitOfWork
from shared.errors import NotFound
from shared.events.base import Event

Created = tuple[dict[str, Any], list[Event]]
EDITABLE = (
    "name",
    "skills",
    "certifications",
    "team",
    "seniority",
    "home",
    "regions",
    "shift",
    "on_call",
    "capacity",
    "status",
)


class EngineerNotFound(NotFound):
    title = "No such engineer"

    def __init__(self, engineer_id: UUID) -> None:
        super().__init__(f"no engineer {engineer_id}")


async def register_engineer(uow: UnitOfWork, command: RegisterEngineer) -> Created:
    shift_calendar(command.fields["shift"])  # an overlapping or empty shift is refused here
    return await store.insert(uow.conn, uuid.uuid4(), command.fields, uow.now), []


async def update_engineer(uow: UnitOfWork, command: UpdateEngineer) -> dict[str, Any]:
    engineer = await store.lock(uow.conn, command.engineer_id)
    if engineer is None:
        raise EngineerNotFound(command.engineer_id)
    merged = {name: command.changes.get(name, engineer[name]) for name in EDITABLE}
    shift_calendar(merged["shift"])
    return await store.update(uow.conn, command.engineer_id, merged, uow.now)


async def get_engineer(uow: UnitOfWork, engineer_id: UUID) -> dict[str, Any] | None:
    return await store.get(uow.conn, engineer_id)


async def list_engineers(
    uow: UnitOfWork,
    *,
    after: tuple[datetime, UUID] | None,
    limit: int,
    team: str | None = None,
    status: str | None = None,
    skill: str | None = None,
    region: str | None = None,
) -> list[dict[str, Any]]:
    return await store.page(
        uow.conn, after=after, limit=limit, team=team, status=status, skill=skill, region=region
    )
