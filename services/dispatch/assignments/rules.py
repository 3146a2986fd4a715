"""DS-3: what the engineer's phone may report, and in which order an offline batch is applied.
Pure: no I/O.

A phone reports each action with its own clock (`occurred_at`), often much later than it
happened (a basement, a lift, a plane). The server believes that time within a window: a
week back covers any offline spell an engineer could work through; a few minutes ahead
covers a phone whose clock runs fast. Outside it, the time is a phone's wrong clock, and a
fact recorded at it would corrupt the SLA clocks that start and stop on it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from uuid import UUID

from shared.errors import DomainError

# DS-3: how far back and ahead of the server's clock a phone's time is believed.
OFFLINE_FOR_AT_MOST = timedelta(days=7)
PHONE_CLOCK_AHEAD_AT_MOST = timedelta(minutes=5)
# The most actions one offline batch may carry: a phone with more uploads them in turns.
MAX_BATCH = 200


class OccurredOutsideWindow(DomainError):
    title = "The phone's time is not believable"


class RepeatedSerial(DomainError):
    title = "A serial appears twice in the parts used"


def check_occurred_at(occurred_at: datetime, now: datetime) -> None:
    """Refuse a phone time more than a week before `now` or more than five minutes after it."""
    earliest, latest = now - OFFLINE_FOR_AT_MOST, now + PHONE_CLOCK_AHEAD_AT_MOST
    if occurred_at < earliest:
        raise OccurredOutsideWindow(
            f"occurred_at {occurred_at.isoformat()} is more than "
            f"{OFFLINE_FOR_AT_MOST.days} days ago: actions older than that are not accepted",
            field="occurred_at",
            earliest=earliest,
            latest=latest,
        )
    if occurred_at > latest:
        raise OccurredOutsideWindow(
            f"occurred_at {occurred_at.isoformat()} is in the future: check the phone's clock",
            field="occurred_at",
            earliest=earliest,
            latest=latest,
        )


def check_parts(serials: Iterable[tuple[str | None, str | None]]) -> None:
    """IN-5: a serial names one physical part, out or in once per report (as intake holds it,
    so a completion is refused here, on the phone's request, not lost in intake's consumer)."""
    counted = Counter(s for pair in serials for s in pair if s is not None)
    repeated = sorted(s for s, n in counted.items() if n > 1)
    if repeated:
        raise RepeatedSerial(
            f"serial {', '.join(repeated)} appears more than once in the parts used",
            field="report.parts_used",
            serials=repeated,
        )


def phone_order(occurred: Sequence[datetime]) -> list[int]:
    """The positions of a batch's actions in the order they happened on the phone.

    A phone queues what it could not send and uploads it later, in whatever order its queue
    kept: applied in its own time order, `depart` lands before the `arrive` that followed it.
    Ties keep the order sent, so a phone that stamps two taps with one second keeps them apart.
    """
    return sorted(range(len(occurred)), key=lambda i: (occurred[i], i))


def engineer_key(engineer_id: UUID) -> tuple[str, UUID]:
    """What an engineer's long-poll waits on: any change to their assignments."""
    return ("engineer", engineer_id)
