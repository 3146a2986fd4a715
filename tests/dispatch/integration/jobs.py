"""An engineer, a ticket at a site and the assignment between them, written straight into
dispatch's tables: the rows the phone's tests act on."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CONTACT = {"name": "Li Na", "phone": "+86 21 5555 0101"}


@dataclass(frozen=True)
class Job:
    engineer_id: uuid.UUID
    ticket_id: uuid.UUID
    assignment_id: uuid.UUID


async def an_engineer(conn, *, load: int = 1) -> uuid.UUID:
    engineer_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO dispatch.engineers (id, name, skills, active_assignments, created_at, "
        "updated_at) VALUES ($1, 'Wang Wei', ARRAY['network'], $2, $3, $3)",
        engineer_id,
        load,
        NOW,
    )
    return engineer_id


async def a_job(
    conn,
    *,
    status: str = "assigned",
    role: str = "lead",
    engineer_id: uuid.UUID | None = None,
    site: bool = True,
    **times: datetime,
) -> Job:
    """An assignment in `status`, counted in its engineer's load as dispatch counts it."""
    live = status in ("assigned", "accepted", "departed", "on_site")
    if engineer_id is None:
        engineer_id = await an_engineer(conn, load=1 if live else 0)
    elif live:
        await conn.execute(
            "UPDATE dispatch.engineers SET active_assignments = active_assignments + 1 "
            "WHERE id = $1",
            engineer_id,
        )
    site_id = None
    if site:
        site_id = uuid.uuid4()
        await conn.execute(
            "INSERT INTO dispatch.sites (id, customer_id, name, address, latitude, longitude, "
            "timezone, registered_at, as_of) VALUES ($1, $2, 'Data centre 2', "
            "'88 Century Avenue', 31.23, 121.47, 'Asia/Shanghai', $3, $3)",
            site_id,
            uuid.uuid4(),
            NOW,
        )
    ticket_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO dispatch.tickets (id, number, priority, category, received_at, site_id, "
        "summary, contact) VALUES ($1, $2, 'P2', 'network', $3, $4, 'Uplink flapping', $5)",
        ticket_id,
        f"T-{uuid.uuid4().hex[:8]}",
        NOW,
        site_id,
        CONTACT,
    )
    assignment_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO dispatch.assignments (id, ticket_id, engineer_id, status, role, assigned_at, "
        "respond_by, accepted_at, departed_at, arrived_at, completed_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $6::timestamptz + interval '15 minutes', $7, $8, $9, $10, $6)",
        assignment_id,
        ticket_id,
        engineer_id,
        status,
        role,
        NOW,
        times.get("accepted_at"),
        times.get("departed_at"),
        times.get("arrived_at"),
        times.get("completed_at"),
    )
    return Job(engineer_id, ticket_id, assignment_id)


async def load_of(conn, engineer_id: uuid.UUID) -> int:
    return await conn.fetchval(
        "SELECT active_assignments FROM dispatch.engineers WHERE id = $1", engineer_id
    )


async def assignment_row(conn, assignment_id: uuid.UUID) -> dict:
    return dict(
        await conn.fetchrow("SELECT * FROM dispatch.assignments WHERE id = $1", assignment_id)
    )


async def history_of(conn, assignment_id: uuid.UUID) -> list[tuple[str, str, str]]:
    rows = await conn.fetch(
        "SELECT action, from_status, to_status FROM dispatch.assignment_actions "
        "WHERE assignment_id = $1 ORDER BY seq",
        assignment_id,
    )
    return [tuple(r) for r in rows]
