"""Contracts as escalation keeps them: the SLA policy and the ladder's contacts (ES-1..ES-4).

A contract's new terms recompute the running clocks of its tickets by replay, so a ticket that
arrived before its contract did (they travel on different partitions) ends up on the
contract's promises all the same.
"""

from __future__ import annotations

from services.escalation.clocks import handlers as clocks
from services.escalation.contracts import store
from services.escalation.notifications import handlers as notifications
from services.escalation.tickets import store as tickets
from shared.db import UnitOfWork
from shared.events.envelope import Envelope
from shared.events.intake import ContractRegistered, ContractUpdated

ENDED = frozenset({"cancelled", "closed"})


async def on_contract(
    event: ContractRegistered | ContractUpdated, envelope: Envelope, uow: UnitOfWork
) -> None:
    at = event.registered_at if isinstance(event, ContractRegistered) else event.updated_at
    # Whom each ladder level writes to, for the e-mails (its own read model keeps its order).
    await notifications.remember_contract(uow, event)
    if not await store.upsert(uow.conn, event, at):
        return
    for ticket in await tickets.of_contract(uow.conn, event.contract_id):
        if ticket["status"] in ENDED:
            continue
        policy, _ = await store.terms_of(uow.conn, ticket)
        await clocks.retarget(uow, ticket, policy, at, source=envelope.id)


EVENTS = {ContractRegistered.type: on_contract, ContractUpdated.type: on_contract}
