"""What inventory does for a ticket it keeps: nothing new once the ticket is cancelled or closed
(parts or a loaner for it would never be used). Pure: no I/O."""

from __future__ import annotations

from shared.errors import Conflict, NotFound

ENDED = frozenset({"cancelled", "closed"})


class TicketNotKnown(NotFound):
    """Inventory learns of tickets from intake's events: a brand-new one may not be here yet."""

    title = "No such ticket"


class TicketEnded(Conflict):
    title = "Ticket closed or cancelled"


def is_live(status: str) -> bool:
    return status not in ENDED
