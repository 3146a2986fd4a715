from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from services.dispatch.domain import (
    Assignment,
    AssignmentClosed,
    AssignmentStatus,
    Candidate,
    NotAssignable,
    OpenTicket,
    accept,
    assign,
    choose_engineer,
)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def engineer(skills, region=None, load=0, id_=None) -> Candidate:
    return Candidate(id_ or uuid4(), frozenset(skills), region, load)


def ticket(category="network", region=None) -> OpenTicket:
    return OpenTicket(uuid4(), category, region)


def test_prefers_the_least_loaded_engineer_with_the_skill():
    busy, free = engineer({"network"}, load=3), engineer({"network"}, load=1)
    assert choose_engineer(ticket(), [busy, free, engineer({"host"}, load=0)]) == free


def test_prefers_an_engineer_in_the_tickets_region_over_a_less_loaded_remote_one():
    local, remote = engineer({"network"}, "north", load=4), engineer({"network"}, "south", load=0)
    assert choose_engineer(ticket(region="north"), [local, remote]) == local


def test_falls_back_to_the_mobile_pool_when_no_local_engineer_has_the_skill():
    remote = engineer({"network"}, "south")
    assert choose_engineer(ticket(region="north"), [engineer({"host"}, "north"), remote]) == remote


def test_refuses_when_nobody_has_the_skill():
    with pytest.raises(NotAssignable) as refused:
        choose_engineer(ticket("security"), [engineer({"network"})])
    assert refused.value.context["reason"] == "no_skilled_engineer"


def test_other_faults_go_to_whoever_is_free():
    free = engineer({"storage"}, load=0)
    assert choose_engineer(ticket("other"), [engineer({"host"}, load=2), free]) == free


def test_ties_are_broken_the_same_way_every_time():
    a, b = engineer({"network"}, id_=UUID(int=1)), engineer({"network"}, id_=UUID(int=2))
    assert choose_engineer(ticket(), [b, a]) == a


def test_assigning_names_the_ticket_and_the_engineer():
    t, e = ticket(), engineer({"network"})
    event = assign(t, e, NOW)
    assert (event.ticket_id, event.engineer_id, event.assigned_at) == (t.ticket_id, e.engineer_id, NOW)


def test_accepting_an_assigned_job_records_when():
    a = Assignment(uuid4(), uuid4(), uuid4(), AssignmentStatus.assigned)
    assert accept(a, NOW).accepted_at == NOW


def test_accepting_twice_is_a_harmless_retry():
    assert accept(Assignment(uuid4(), uuid4(), uuid4(), AssignmentStatus.accepted), NOW) is None


def test_a_closed_assignment_cannot_be_accepted(monkeypatch):
    closed = Assignment(uuid4(), uuid4(), uuid4(), "cancelled")  # type: ignore[arg-type]
    with pytest.raises(AssignmentClosed):
        accept(closed, NOW)
