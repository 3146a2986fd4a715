"""How a fault report enters (IN-1, IN-10): its time, its contract, its alarm. Pure: no I/O.

A report names its customer, or the serial on the label (which names customer, site and
contract), or both. `reported_at` is the call centre's own clock: a report recorded offline
and posted later counts from then, but not from the future (beyond a clock skew) nor from
so long ago that it cannot be a backlog.

Monitoring sends the same alarm again and again: while a ticket for that asset and alarm
is open, a repeat folds into it (`occurrences`) instead of opening another.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from uuid import UUID

from services.intake.contracts.rules import Contract
from shared.errors import DomainError

# IN-1: the call centre's clock may run a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=5)
# A backlog recorded offline is posted within days; a month-old time is a typo, and would
# open SLA clocks that are long breached.
LONGEST_BACKLOG = timedelta(days=30)


class ReportedInTheFuture(DomainError):
    title = "Reported in the future"


class ReportedTooLongAgo(DomainError):
    title = "Reported too long ago"


class SerialOfAnotherCustomer(DomainError):
    title = "Serial belongs to another customer"


class NeitherCustomerNorSerial(DomainError):
    title = "Customer or serial needed"


class ManufacturerWithoutSerial(DomainError):
    title = "Manufacturer without serial"


class AlarmNeedsMonitoringAndSerial(DomainError):
    title = "An alarm comes from monitoring, about a serial"


def reported_at(given: datetime | None, now: datetime) -> datetime:
    """When the ticket counts from: the time given, else now."""
    if given is None:
        return now
    if given > now + CLOCK_SKEW:
        raise ReportedInTheFuture(
            f"reported_at {given.isoformat()} is more than {CLOCK_SKEW.seconds // 60} minutes "
            f"after now ({now.isoformat()})",
            field="reported_at",
        )
    if given < now - LONGEST_BACKLOG:
        raise ReportedTooLongAgo(
            f"reported_at {given.isoformat()} is more than {LONGEST_BACKLOG.days} days ago",
            field="reported_at",
        )
    return given


def check_shape(
    *,
    customer_id: UUID | None,
    serial: str | None,
    manufacturer: str | None,
    channel: str,
    alarm: object | None,
) -> None:
    """The rules across fields a JSON schema cannot state; each names the field to fix."""
    if customer_id is None and serial is None:
        raise NeitherCustomerNorSerial(
            "send customer_id, or the asset's serial (which names the customer)",
            field="customer_id",
        )
    if manufacturer is not None and serial is None:
        raise ManufacturerWithoutSerial(
            "manufacturer only tells apart serials two makers use: send serial too",
            field="serial",
        )
    if alarm is not None and (channel != "monitoring" or serial is None):
        raise AlarmNeedsMonitoringAndSerial(
            "an alarm is folded per asset: send it with channel monitoring and the serial",
            field="alarm",
        )


def check_owner(customer_id: UUID | None, owner: UUID, serial: str) -> None:
    """A customer id and a serial given together must agree."""
    if customer_id is not None and customer_id != owner:
        raise SerialOfAnotherCustomer(
            f"serial {serial} is installed at customer {owner}, not {customer_id}",
            field="serial",
        )


def contract_of_customer(
    contracts: Iterable[Contract], at: datetime, zone: tzinfo = UTC
) -> Contract | None:
    """IN-10: the contract a report without a serial is served under, if there is no doubt.

    The one contract whose warranty covers `at`; else the customer's only contract (out of
    warranty: at cost); else None - several candidates, or none - and the ticket is
    chargeable until the centre ties it to an asset.
    """
    candidates = list(contracts)
    current = [c for c in candidates if c.warranty.covers(at, zone)]
    if len(current) == 1:
        return current[0]
    if not current and len(candidates) == 1:
        return candidates[0]
    return None


@dataclass(frozen=True, slots=True)
class AlarmKey:
    """What makes two alarms the same fault: the asset and the monitoring system's code."""

    asset_id: UUID
    source: str
    code: str

    def lock_id(self) -> int:
        """A stable signed 64-bit id for a transaction-scoped advisory lock on this key."""
        digest = hashlib.blake2b(
            f"fieldops.alarm|{self.asset_id}|{self.source}|{self.code}".encode(), digest_size=8
        ).digest()
        return int.from_bytes(digest, "big", signed=True)


def group_alarms(keys: Sequence[AlarmKey | None]) -> dict[AlarmKey, list[int]]:
    """The positions of a batch that carry each alarm, in order: repeats within one group
    commit fold among themselves before they meet the database."""
    groups: dict[AlarmKey, list[int]] = {}
    for index, key in enumerate(keys):
        if key is not None:
            groups.setdefault(key, []).append(index)
    return groups


def occurrence_seen(total: int, group_size: int, position: int) -> int:
    """The count the `position`-th of `group_size` repeats saw, when the ticket ended at `total`:
    as if they had arrived one after another, so 1,000 alarms see 1 to 1,000 once each."""
    return total - (group_size - 1 - position)
