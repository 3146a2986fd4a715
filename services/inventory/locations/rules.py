"""Where stock is kept. Pure: no I/O."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import Conflict, NotFound


class LocationKind(StrEnum):
    headquarters = "headquarters"
    regional_office = "regional_office"
    site_depot = "site_depot"


class LocationNotFound(NotFound):
    title = "No such location"


class UnknownLocation(NotFound):
    """A request names a location that does not exist: nothing is booked against it. A 404,
    as an unknown part is: both are things the request is about, not decorations of it."""

    title = "No such location"


class LocationNameTaken(Conflict):
    title = "Location name already taken"
