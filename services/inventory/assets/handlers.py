"""The installed base as inventory keeps it: what each customer runs, for loaners of the same
model (IV-2) and replacements (IV-3)."""

from __future__ import annotations

from services.inventory.assets import store
from shared.db import UnitOfWork
from shared.events.envelope import Envelope
from shared.events.intake import AssetRegistered


async def on_asset_registered(event: AssetRegistered, envelope: Envelope, uow: UnitOfWork) -> None:
    await store.upsert(uow.conn, event)


EVENTS = {AssetRegistered.type: on_asset_registered}
