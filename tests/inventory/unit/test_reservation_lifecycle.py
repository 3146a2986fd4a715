"""A reservation's lifecycle, every (status, move) pair of it, and the ledger movement each
legal move books."""

import pytest

from services.inventory.reservations.lifecycle import (
    ENDED,
    FACTS,
    LIVE,
    TRANSITIONS,
    IllegalMove,
    Move,
    ReservationStatus,
    Step,
    allowed_from,
    mermaid,
    move,
)
from services.inventory.stock.ledger import EFFECTS, MovementKind

S, M, K = ReservationStatus, Move, MovementKind

EXPECTED = {
    (S.backordered, M.serve): Step(S.reserved, K.reservation),
    (S.backordered, M.release): Step(S.released, None),
    (S.backordered, M.cancel): Step(S.released, None),
    (S.reserved, M.pick): Step(S.picked, K.pick),
    (S.reserved, M.consume): Step(S.consumed, K.consume),
    (S.reserved, M.release): Step(S.released, K.release),
    (S.reserved, M.expire): Step(S.released, K.release),
    (S.reserved, M.cancel): Step(S.released, K.release),
    (S.picked, M.consume): Step(S.consumed, K.consume),
    (S.picked, M.return_): Step(S.returned, K.return_),
    (S.picked, M.cancel): Step(S.returned, K.return_),
}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("how", list(M))
def test_every_pair_is_a_step_a_no_op_fact_or_an_illegal_move_naming_the_allowed(status, how):
    if (status, how) in EXPECTED:
        assert move(status, how) == EXPECTED[(status, how)]
    elif how in FACTS and status in ENDED:
        assert move(status, how) is None
    else:
        with pytest.raises(IllegalMove) as refused:
            move(status, how)
        assert refused.value.context == {
            "current_status": status.value,
            "move": how.value,
            "allowed": [m.value for m in allowed_from(status)],
        }


def test_the_table_is_exactly_the_expected_one():
    assert dict(TRANSITIONS) == EXPECTED


def test_ended_reservations_allow_no_move():
    assert {s for s in S if not allowed_from(s)} == set(ENDED)
    assert set(LIVE) | set(ENDED) == set(S)


def test_every_move_out_of_a_holding_status_gives_back_exactly_what_was_reserved():
    # A reservation adds 1 reserved per unit; whatever ends it takes that 1 away again, and
    # only consumption takes the unit off the shelf.
    for (status, _), step in TRANSITIONS.items():
        if step.to in ENDED and status is not S.backordered:
            assert step.movement is not None
            assert EFFECTS[step.movement][1] == -1
            assert EFFECTS[step.movement][0] == (-1 if step.to is S.consumed else 0)


def test_the_diagram_draws_both_ways_in_and_every_step():
    drawn = mermaid()
    assert drawn.startswith("stateDiagram-v2\n    [*] --> reserved\n    [*] --> backordered\n")
    assert "    reserved --> released : release, expire, cancel\n" in drawn
    assert "    picked --> returned : return, cancel\n" in drawn
    for status in ENDED:
        assert f"    {status} --> [*]\n" in drawn
