"""The expiry timer: reserved parts held past FIELDOPS_RESERVATION_DAYS go back on the shelf."""

from __future__ import annotations

from services.inventory.reservations.commands import ExpireReservations
from services.inventory.reservations.handlers import expire_reservations
from shared.service import Runtime
from shared.timers import run_timer


async def expiry_timer(runtime: Runtime) -> None:
    await run_timer(
        runtime, "reservation-expiry", lambda uow: expire_reservations(ExpireReservations(), uow)
    )
