"""Sites as inventory keeps them: where a ticket's part must go, for the nearest stock (IV-1)."""

from __future__ import annotations

from services.inventory.sites import store
from shared.db import UnitOfWork
from shared.events.envelope import Envelope
from shared.events.intake import SiteRegistered, SiteUpdated


async def on_site(event: SiteRegistered | SiteUpdated, envelope: Envelope, uow: UnitOfWork) -> None:
    at = event.registered_at if isinstance(event, SiteRegistered) else event.updated_at
    await store.upsert(uow.conn, event, at)


EVENTS = {SiteRegistered.type: on_site, SiteUpdated.type: on_site}
