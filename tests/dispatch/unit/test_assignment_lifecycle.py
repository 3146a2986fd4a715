from datetime import UTC, datetime
from itertools import product
from uuid import uuid4

import pytest

from services.dispatch.assignments.lifecycle import (
    TRANSITIONS,
    Assignment,
    AssignmentClosed,
    AssignmentStatus,
    Move,
    accept,
    assign,
)
from services.dispatch.assignments.scoring import Candidate, OpenTicket

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def assignment(status) -> Assignment:
    return Assignment(uuid4(), uuid4(), uuid4(), status)


def test_assigning_names_the_ticket_and_the_engineer():
    t, e = OpenTicket(uuid4(), "network", None), Candidate(uuid4(), frozenset({"network"}), None, 0)
    event = assign(t, e, NOW)
    assert (event.ticket_id, event.engineer_id) == (t.ticket_id, e.engineer_id)
    assert event.assigned_at == NOW


def test_accepting_an_assigned_job_records_when():
    a = assignment(AssignmentStatus.assigned)
    event = accept(a, NOW)
    assert (event.assignment_id, event.engineer_id, event.accepted_at) == (a.id, a.engineer_id, NOW)


def test_accepting_twice_is_a_harmless_retry():
    assert accept(assignment(AssignmentStatus.accepted), NOW) is None


def test_a_closed_assignment_cannot_be_accepted():
    with pytest.raises(AssignmentClosed):
        accept(assignment("cancelled"), NOW)


@pytest.mark.parametrize(("status", "how"), list(product(AssignmentStatus, Move)))
def test_every_status_and_move(status, how):
    expected = {(AssignmentStatus.assigned, Move.accept): AssignmentStatus.accepted}
    assert TRANSITIONS.get((status, how)) == expected.get((status, how))
