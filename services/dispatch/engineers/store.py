"""Every SQL statement about engineers, as constants."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from asyncpg import Connection

from shared.sql import Filters

COLUMNS = (
    "id, name, skills, certifications, team, seniority, home_latitude, home_longitude, regions, "
    "shift, on_call, capacity, status, active_assignments, position_latitude, position_longitude, "
    "position_at, created_at, updated_at"
)
_INSERT = (
    "INSERT INTO dispatch.engineers (id, name, skills, certifications, team, seniority, "
    "home_latitude, home_longitude, regions, shift, on_call, capacity, status, created_at, "
    "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12, $13, "
    f"$14, $14) RETURNING {COLUMNS}"
)
_GET = f"SELECT {COLUMNS} FROM dispatch.engineers WHERE id = $1"
_LOCK = f"{_GET} FOR UPDATE"
_UPDATE = (
    "UPDATE dispatch.engineers SET name = $2, skills = $3, certifications = $4, team = $5, "
    "seniority = $6, home_latitude = $7, home_longitude = $8, regions = $9, shift = $10::jsonb, "
    "on_call = $11::jsonb, capacity = $12, status = $13, updated_at = $14 "
    f"WHERE id = $1 RETURNING {COLUMNS}"
)
_LIST = f"SELECT {COLUMNS} FROM dispatch.engineers"


def _args(engineer_id: UUID, fields: dict[str, Any], at: datetime) -> tuple[Any, ...]:
    home = fields["home"] or {}
    return (
        engineer_id,
        fields["name"],
        fields["skills"],
        fields["certifications"],
        fields["team"],
        fields["seniority"],
        home.get("latitude"),
        home.get("longitude"),
        fields["regions"],
        fields["shift"],
        [[a.isoformat(), b.isoformat()] for a, b in fields["on_call"]],
        fields["capacity"],
        fields["status"],
        at,
    )


def engineer(row: Any) -> dict[str, Any]:
    """A row as the API and the decision read it: home, position and periods as values."""
    d = dict(row)
    lat, lon = d.pop("home_latitude"), d.pop("home_longitude")
    d["home"] = None if lat is None else {"latitude": lat, "longitude": lon}
    plat, plon, pat = d.pop("position_latitude"), d.pop("position_longitude"), d.pop("position_at")
    d["position"] = None if pat is None else {"latitude": plat, "longitude": plon, "at": pat}
    d["on_call"] = [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in d["on_call"]]
    d["load"] = d.pop("active_assignments")
    d["active"] = d["status"] == "active"
    d["region"] = d["regions"][0] if d["regions"] else None
    return d


async def insert(
    conn: Connection, engineer_id: UUID, fields: dict[str, Any], at: datetime
) -> dict[str, Any]:
    return engineer(await conn.fetchrow(_INSERT, *_args(engineer_id, fields, at)))


async def get(conn: Connection, engineer_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_GET, engineer_id)
    return engineer(row) if row else None


async def lock(conn: Connection, engineer_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(_LOCK, engineer_id)
    return engineer(row) if row else None


async def update(
    conn: Connection, engineer_id: UUID, fields: dict[str, Any], at: datetime
) -> dict[str, Any]:
    return engineer(await conn.fetchrow(_UPDATE, *_args(engineer_id, fields, at)))


async def page(
    conn: Connection,
    *,
    after: tuple[datetime, UUID] | None,
    limit: int,
    team: str | None,
    status: str | None,
    skill: str | None,
    region: str | None,
) -> list[dict[str, Any]]:
    """Oldest first, `limit + 1` rows so the caller can tell whether more follow."""
    filters = (
        Filters()
        .add_if(team, "team = {}")
        .add_if(status, "status = {}")
        .add_if(skill, "{} = ANY(skills)")
        .add_if(region, "{} = ANY(regions)")
    )
    if after is not None:
        filters.add("(created_at, id) > ({}, {})", *after)
    records = await conn.fetch(
        f"{_LIST} {filters.where()} ORDER BY created_at, id LIMIT {filters.param(limit + 1)}",
        *filters.args,
    )
    return [engineer(r) for r in records]
