"""Where stock is kept. Pure: no I/O."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import Conflict, InvalidReference, NotFound


class LocationKind(StrEnum):
    headquarters = "headquarters"
    regional_office = "regional_office"
    site_depot = "site_depot"


class LocationNotFound(NotFound):
    title = "No such location"


class UnknownLocation(InvalidReference):
    """A request names a location that does not exist: nothing is booked against it."""

    title = "No such location"


class LocationNameTaken(Conflict):
    title = "Location name already taken"
