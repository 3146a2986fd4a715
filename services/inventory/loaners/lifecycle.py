"""IV-2: a loaner unit's lifecycle (drawn by `mermaid`) and which unit a waiting customer
gets. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from haversine import haversine

from shared.diagrams import state_diagram
from shared.errors import Conflict, DomainError, NotFound
from shared.lifecycle import IllegalMove as IllegalMove
from shared.lifecycle import allowed_from as moves_in


class LoanerStatus(StrEnum):
    available = "available"
    checked_out = "checked_out"
    retired = "retired"


class Move(StrEnum):
    check_out = "check_out"
    check_in = "check_in"
    retire = "retire"


# A pair missing here is an illegal move (409 naming the moves allowed).
TRANSITIONS: Mapping[tuple[LoanerStatus, Move], LoanerStatus] = MappingProxyType(
    {
        (LoanerStatus.available, Move.check_out): LoanerStatus.checked_out,
        (LoanerStatus.checked_out, Move.check_in): LoanerStatus.available,
        (LoanerStatus.available, Move.retire): LoanerStatus.retired,
    }
)


def mermaid() -> str:
    """The unit's lifecycle as a Mermaid `stateDiagram-v2`, drawn from the table for the README."""
    edges: dict[tuple[str, str], list[str]] = {}
    for (source, how), to in TRANSITIONS.items():
        edges.setdefault((source.value, to.value), []).append(how.value)
    return state_diagram(
        [s.value for s in LoanerStatus],
        edges,
        initial=LoanerStatus.available.value,
        finals=[LoanerStatus.retired.value],
        note=(
            LoanerStatus.checked_out.value,
            ("a loan: ticket, customer, due back;", "listed overdue past its due date"),
        ),
    )


class DueStatus(StrEnum):
    waiting = "waiting"
    out = "out"


class LoanerNotFound(NotFound):
    title = "No such loaner"


class LoanerExists(Conflict):
    title = "Loaner already registered"


class ModelClash(Conflict):
    title = "Model known under another manufacturer"


class TicketWithoutCustomer(DomainError):
    title = "Ticket has no customer"


class DueBackPassed(DomainError):
    title = "Due back in the past"


class AlreadyCheckedOut(IllegalMove):
    title = "Loaner already checked out"


class NotCheckedOut(IllegalMove):
    title = "Loaner not checked out"


def allowed_from(status: LoanerStatus) -> tuple[Move, ...]:
    return moves_in(TRANSITIONS, status)


def refusal(serial: str, status: LoanerStatus, how: Move) -> IllegalMove:
    """Why `how` is refused in `status`: the two a desk meets most have titles of their own."""
    kind = (
        AlreadyCheckedOut
        if how is Move.check_out and status is LoanerStatus.checked_out
        else NotCheckedOut
        if how is Move.check_in
        else IllegalMove
    )
    return kind("a loaner", status, how, allowed_from(status), serial=serial)


def move(serial: str, status: LoanerStatus, how: Move) -> LoanerStatus:
    to = TRANSITIONS.get((status, how))
    if to is None:
        raise refusal(serial, status, how)
    return to


def is_overdue(due_back: datetime, returned_at: datetime | None, now: datetime) -> bool:
    return returned_at is None and due_back < now


@dataclass(frozen=True, slots=True)
class Unit:
    """An available loaner as the choice sees it: what it is and where it is kept."""

    serial: str
    model: str
    manufacturer: str
    category: str
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Wanted:
    """The customer's model under repair; manufacturer and category when known."""

    model: str | None
    manufacturer: str | None
    category: str | None


def fits(unit: Unit, wanted: Wanted) -> int | None:
    """0 for the same model, 1 for a similar one (same manufacturer and category), else None.
    A maker is the same however a ticket capitalised it ("Huawei", "huawei")."""
    if wanted.model is not None and unit.model == wanted.model:
        return 0
    if (
        wanted.manufacturer is not None
        and wanted.category is not None
        and unit.manufacturer.casefold() == wanted.manufacturer.casefold()
        and unit.category == wanted.category
    ):
        return 1
    return None


def choose_loaner(
    units: Iterable[Unit], wanted: Wanted, site_position: tuple[float, float] | None
) -> Unit | None:
    """IV-2: the same model first, else a similar one; of those, the nearest the customer's
    site (great circle), ties by serial. Without a site position, by serial alone."""
    best: tuple[int, float, str] | None = None
    chosen: Unit | None = None
    for unit in units:
        rank = fits(unit, wanted)
        if rank is None:
            continue
        km = (
            0.0
            if site_position is None
            else float(haversine(site_position, (unit.latitude, unit.longitude)))
        )
        key = (rank, km, unit.serial)
        if best is None or key < best:
            best, chosen = key, unit
    return chosen
