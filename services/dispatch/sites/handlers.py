"""Sites as dispatch keeps them: where the work is (travel) and its time zone (inspections)."""

from __future__ import annotations

from services.dispatch.sites import store
from shared.db import UnitOfWork
from shared.events.envelope import Envelope
from shared.events.intake import SiteRegistered, SiteUpdated


async def on_site(event: SiteRegistered | SiteUpdated, envelope: Envelope, uow: UnitOfWork) -> None:
    at = event.registered_at if isinstance(event, SiteRegistered) else event.updated_at
    await store.upsert(uow.conn, event, at)


EVENTS = {SiteRegistered.type: on_site, SiteUpdated.type: on_site}
