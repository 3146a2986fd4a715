"""IV-5: an end of production, and whether customers can still be told 6 months ahead. Pure."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from shared.businesstime import add_months
from shared.errors import Conflict, DomainError, Forbidden, NotFound

# IV-5: customers are told in writing this many calendar months before production ends.
NOTICE_MONTHS = 6


class Scope(StrEnum):
    part = "part"
    model = "model"


class EolInPast(DomainError):
    title = "End of production in the past"


class EolPartNotFound(NotFound):
    title = "No such part"


class NotTheManufacturers(Conflict):
    title = "Part of another manufacturer"


class OtherManufacturer(Forbidden):
    title = "Another manufacturer's products"


def late_notice(end_of_production: date, today: date) -> bool:
    """A date before today is refused; one less than 6 months ahead is accepted, flagged late."""
    if end_of_production < today:
        raise EolInPast(
            "end of production is in the past",
            end_of_production=end_of_production.isoformat(),
            today=today.isoformat(),
        )
    return end_of_production < add_months(today, NOTICE_MONTHS)


def may_announce(manufacturer: str, *, vendor: str | None, is_admin: bool) -> None:
    """IV-5: an admin announces for any maker; a partner vendor for its own products only."""
    if is_admin:
        return
    if vendor is None or vendor != manufacturer:
        raise OtherManufacturer(
            "a vendor announces the end of production of its own products only",
            manufacturer=manufacturer,
        )
