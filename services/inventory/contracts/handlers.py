"""Contracts as inventory keeps them: whether the customer waived originals only (IV-4)."""

from __future__ import annotations

from services.inventory.contracts import store
from shared.db import UnitOfWork
from shared.events.envelope import Envelope
from shared.events.intake import ContractRegistered, ContractUpdated


async def on_contract(
    event: ContractRegistered | ContractUpdated, envelope: Envelope, uow: UnitOfWork
) -> None:
    at = event.registered_at if isinstance(event, ContractRegistered) else event.updated_at
    await store.upsert(uow.conn, event, at)


EVENTS = {ContractRegistered.type: on_contract, ContractUpdated.type: on_contract}
