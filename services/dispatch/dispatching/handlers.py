"""Dispatching: choosing engineers for a ticket, and choosing again when one falls away."""

from __future__ import annotations

from uuid import UUID

from shared.db import UnitOfWork


async def replace(uow: UnitOfWork, ticket_id: UUID, role: str, *, trigger: str) -> None:
    """Offer the role an engineer gave up (declined, timed out) to the next candidate."""
    # The decision wiring lands with the dispatching slice; until then nobody is offered.
    del uow, ticket_id, role, trigger
