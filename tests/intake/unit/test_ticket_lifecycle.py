"""IN-4: every (status, move) pair of the ticket lifecycle, spelled out here independently of
the table, so a changed edge is a decision someone made on purpose."""

from datetime import UTC, datetime, timedelta
from itertools import product
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.intake.tickets.lifecycle import (
    FACTS_FROM_OTHER_SERVICES,
    REOPEN_WINDOW,
    TRANSITIONS,
    IllegalMove,
    Move,
    ReopenWindowClosed,
    Status,
    Ticket,
    allowed_from,
    can_reopen,
    mermaid,
    move,
    spelled,
)

S, M = Status, Move
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
RESOLVED_AT = NOW - timedelta(days=1)
FACTS = sorted(FACTS_FROM_OTHER_SERVICES)
HELD_FROM = S.assigned  # the hold every awaiting_customer case below was laid over

CENTRE_WHILE_WORKING = {
    M.await_customer: S.awaiting_customer,
    M.resolve: S.resolved,
    M.cancel: S.cancelled,
}
# (status, move) -> (status after, held_from after); absent: illegal (centre) or ignored (fact).
EXPECTED = {
    **{
        (S.new, m): (to, None)
        for m, to in {
            M.assigned: S.assigned,
            M.unassigned: S.unassigned,
            M.accepted: S.in_progress,
            M.arrived: S.on_site,
            M.completed: S.resolved,
            M.reclassify: S.new,
            **CENTRE_WHILE_WORKING,
        }.items()
    },
    **{
        (S.unassigned, m): (to, None)
        for m, to in {
            M.assigned: S.assigned,
            M.accepted: S.in_progress,
            M.arrived: S.on_site,
            M.completed: S.resolved,
            M.reclassify: S.unassigned,
            **CENTRE_WHILE_WORKING,
        }.items()
    },
    **{
        (S.assigned, m): (to, None)
        for m, to in {
            M.accepted: S.in_progress,
            M.arrived: S.on_site,
            M.completed: S.resolved,
            M.reclassify: S.assigned,
            **CENTRE_WHILE_WORKING,
        }.items()
    },
    **{
        (S.in_progress, m): (to, None)
        for m, to in {
            M.arrived: S.on_site,
            M.completed: S.resolved,
            M.reclassify: S.in_progress,
            **CENTRE_WHILE_WORKING,
        }.items()
    },
    **{
        (S.on_site, m): (to, None)
        for m, to in {
            M.completed: S.resolved,
            M.reclassify: S.on_site,
            **CENTRE_WHILE_WORKING,
        }.items()
    },
    # While held, dispatch's facts move the status underneath; completion ends the hold.
    (S.awaiting_customer, M.accepted): (S.awaiting_customer, S.in_progress),
    (S.awaiting_customer, M.arrived): (S.awaiting_customer, S.on_site),
    (S.awaiting_customer, M.completed): (S.resolved, None),
    (S.awaiting_customer, M.resume): (HELD_FROM, None),
    (S.awaiting_customer, M.reclassify): (S.awaiting_customer, HELD_FROM),
    (S.awaiting_customer, M.resolve): (S.resolved, None),
    (S.awaiting_customer, M.cancel): (S.cancelled, None),
    (S.resolved, M.close): (S.closed, None),
    (S.resolved, M.reopen): (S.in_progress, None),
    # A hold remembers where it was laid.
    **{
        (status, M.await_customer): (S.awaiting_customer, status)
        for status in (S.new, S.unassigned, S.assigned, S.in_progress, S.on_site)
    },
}


def ticket(status: Status) -> Ticket:
    held = HELD_FROM if status is S.awaiting_customer else None
    resolved_at = RESOLVED_AT if status in (S.resolved, S.closed) else None
    return Ticket(id=uuid4(), status=status, held_from=held, resolved_at=resolved_at)


@pytest.mark.parametrize(("status", "how"), list(product(Status, Move)))
def test_every_status_and_move(status, how):
    t = ticket(status)
    if (status, how) in EXPECTED:
        moved = move(t, how, NOW)
        assert moved is not None
        assert (moved.to, moved.held_from) == EXPECTED[(status, how)]
        assert (moved.ticket_id, moved.from_, moved.move, moved.at) == (t.id, status, how, NOW)
    elif how in FACTS_FROM_OTHER_SERVICES:
        assert move(t, how, NOW) is None
    else:
        with pytest.raises(IllegalMove) as refused:
            move(t, how, NOW)
        assert refused.value.current is status
        assert refused.value.allowed == tuple(spelled(m) for m in allowed_from(status))
        assert spelled(how) not in refused.value.allowed


def test_the_table_holds_no_edge_the_expectations_do_not_name():
    assert set(TRANSITIONS) == set(EXPECTED) - {
        (S.awaiting_customer, f) for f in FACTS_FROM_OTHER_SERVICES
    }


def test_an_illegal_move_names_the_current_status_and_the_moves_allowed():
    with pytest.raises(IllegalMove) as refused:
        move(ticket(S.resolved), M.cancel, NOW)
    assert refused.value.allowed == ("close", "reopen")
    assert "resolved" in refused.value.detail
    assert refused.value.context == {
        "current_status": "resolved",
        "move": "cancel",
        "allowed": ["close", "reopen"],
    }


def test_an_illegal_move_names_the_moves_as_the_api_spells_them():
    with pytest.raises(IllegalMove) as refused:
        move(ticket(S.closed), M.await_customer, NOW)
    assert refused.value.context["move"] == "await-customer"
    assert refused.value.context["allowed"] == []
    assert "allowed: none" in refused.value.detail
    refused_new = pytest.raises(IllegalMove, move, ticket(S.new), M.close, NOW)
    assert refused_new.value.context["allowed"] == [
        "await-customer",
        "resolve",
        "cancel",
        "reclassify",
    ]


def test_a_closed_or_cancelled_ticket_allows_no_move():
    assert allowed_from(S.closed) == allowed_from(S.cancelled) == ()


def test_a_late_assignment_does_not_move_a_ticket_back():
    assert move(ticket(S.in_progress), M.assigned, NOW) is None


def test_a_resume_returns_to_the_status_the_ticket_was_held_from():
    for status in (S.new, S.unassigned, S.assigned, S.in_progress, S.on_site):
        held = move(ticket(status), M.await_customer, NOW)
        assert (held.to, held.held_from) == (S.awaiting_customer, status)
        resumed = move(held.applied_to(ticket(status)), M.resume, NOW)
        assert resumed.to is status


def test_reopening_is_allowed_up_to_seven_days_after_resolution():
    assert can_reopen(NOW - REOPEN_WINDOW, NOW)
    assert not can_reopen(NOW - REOPEN_WINDOW - timedelta(seconds=1), NOW)
    assert not can_reopen(None, NOW)


def test_a_reopen_after_the_window_is_refused():
    late = Ticket(id=uuid4(), status=S.resolved, resolved_at=NOW - timedelta(days=8))
    with pytest.raises(ReopenWindowClosed):
        move(late, M.reopen, NOW)


def test_resolution_time_is_kept_through_closing_and_cleared_by_a_reopen():
    t = ticket(S.on_site)
    resolved = move(t, M.resolve, NOW).applied_to(t)
    assert resolved.resolved_at == NOW
    later = NOW + timedelta(hours=1)
    assert move(resolved, M.close, later).applied_to(resolved).resolved_at == NOW
    assert move(resolved, M.reopen, later).applied_to(resolved).resolved_at is None


_RANK = [S.new, S.unassigned, S.assigned, S.in_progress, S.on_site, S.resolved]


def _progress(t: Ticket) -> int:
    return _RANK.index(t.held_from if t.status is S.awaiting_customer else t.status)


@given(st.sampled_from([S.resolved, S.closed, S.cancelled]), st.lists(st.sampled_from(FACTS)))
def test_no_sequence_of_facts_moves_a_finished_ticket(status, facts):
    t = ticket(status)
    for fact in facts:
        assert move(t, fact, NOW) is None


@given(
    st.sampled_from(
        [S.new, S.unassigned, S.assigned, S.in_progress, S.on_site, S.awaiting_customer]
    ),
    st.lists(st.sampled_from(FACTS), max_size=20),
)
def test_facts_only_ever_move_a_ticket_forward(status, facts):
    t = ticket(status)
    for fact in facts:
        moved = move(t, fact, NOW)
        if moved is None:
            continue
        after = moved.applied_to(t)
        assert _progress(after) > _progress(t)
        t = after


def test_the_diagram_draws_every_edge_of_the_table():
    diagram = mermaid()
    assert diagram.startswith("stateDiagram-v2\n")
    for (source, how), target in TRANSITIONS.items():
        if how is M.resume:
            assert f"{source} --> {S.assigned} : " in diagram
        elif target is not source:
            edge = next(
                line
                for line in diagram.splitlines()
                if line.strip().startswith(f"{source} --> {target} :")
            )
            assert how.value in edge
