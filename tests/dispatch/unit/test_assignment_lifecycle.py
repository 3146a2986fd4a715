"""The assignment's transition table, pair by pair, and the phone's late facts."""

from datetime import UTC, datetime, timedelta
from itertools import product
from uuid import uuid4

import pytest

from services.dispatch.assignments.lifecycle import (
    LIVE,
    TRANSITIONS,
    Assignment,
    AssignmentStatus,
    IllegalMove,
    Move,
    allowed_from,
    move,
)

S, M = AssignmentStatus, Move
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
EXPECTED = {
    (S.assigned, M.accept): S.accepted,
    (S.assigned, M.decline): S.declined,
    (S.assigned, M.time_out): S.timed_out,
    (S.assigned, M.cancel): S.cancelled,
    (S.accepted, M.depart): S.departed,
    (S.accepted, M.arrive): S.on_site,
    (S.accepted, M.decline): S.declined,
    (S.accepted, M.cancel): S.cancelled,
    (S.departed, M.arrive): S.on_site,
    (S.departed, M.cancel): S.cancelled,
    (S.on_site, M.complete): S.completed,
    (S.on_site, M.cancel): S.cancelled,
}


def assignment(status, **times) -> Assignment:
    return Assignment(uuid4(), uuid4(), uuid4(), status, times=times)


@pytest.mark.parametrize(("status", "how"), list(product(S, M)))
def test_every_status_and_move_is_in_the_table_or_refused(status, how):
    assert TRANSITIONS.get((status, how)) == EXPECTED.get((status, how))


def test_accepting_twice_is_a_harmless_retry():
    assert move(assignment(S.accepted, accepted_at=NOW), M.accept, NOW) is None


def test_an_ended_assignment_cannot_be_accepted_and_the_refusal_names_what_is_allowed():
    with pytest.raises(IllegalMove) as refused:
        move(assignment(S.cancelled), M.accept, NOW)
    assert refused.value.context == {"current_status": "cancelled", "move": "accept", "allowed": []}


def test_a_depart_uploaded_after_the_arrive_is_recorded_at_its_own_time_without_moving_back():
    on_site = assignment(S.on_site, accepted_at=NOW, arrived_at=NOW + timedelta(minutes=40))
    late = move(on_site, M.depart, NOW + timedelta(minutes=5))
    assert late is not None and late.late and late.to is S.on_site and not late.ends


def test_a_depart_already_recorded_is_a_retry_even_after_arriving():
    on_site = assignment(S.on_site, departed_at=NOW, arrived_at=NOW)
    assert move(on_site, M.depart, NOW) is None


def test_completing_before_arriving_is_refused():
    with pytest.raises(IllegalMove):
        move(assignment(S.departed), M.complete, NOW)


@pytest.mark.parametrize("status", LIVE)
def test_every_live_assignment_can_be_cancelled(status):
    moved = move(assignment(status), M.cancel, NOW)
    assert moved is not None and moved.ends and moved.to is S.cancelled
    assert M.cancel in allowed_from(status)
