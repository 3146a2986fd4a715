"""IV-2: a loaner's lifecycle, every pair of it, and which unit a late repair gets; IV-3: a
replacement's."""

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.inventory.loaners.lifecycle import (
    TRANSITIONS,
    AlreadyCheckedOut,
    IllegalMove,
    LoanerStatus,
    Move,
    NotCheckedOut,
    Unit,
    Wanted,
    choose_loaner,
    is_overdue,
    move,
)
from services.inventory.replacements.rules import IllegalMove as ReplacementIllegalMove
from services.inventory.replacements.rules import Move as ReplacementMove
from services.inventory.replacements.rules import ReplacementStatus
from services.inventory.replacements.rules import move as replacement_move
from services.inventory.tickets.rules import is_live

EXPECTED = {
    (LoanerStatus.available, Move.check_out): LoanerStatus.checked_out,
    (LoanerStatus.checked_out, Move.check_in): LoanerStatus.available,
    (LoanerStatus.available, Move.retire): LoanerStatus.retired,
}
SHANGHAI = (31.23, 121.47)
BEIJING = (39.90, 116.40)
GUANGZHOU = (23.13, 113.26)


def unit(serial, model="S5735", manufacturer="huawei", category="switch", at=SHANGHAI) -> Unit:
    return Unit(serial, model, manufacturer, category, *at)


WANTED = Wanted("S5735", "huawei", "switch")


@pytest.mark.parametrize(("status", "how"), list(product(LoanerStatus, Move)))
def test_every_pair_of_status_and_move_is_allowed_exactly_as_the_table_says(status, how):
    if (status, how) in EXPECTED:
        assert move("LN-1", status, how) is EXPECTED[status, how]
    else:
        with pytest.raises(IllegalMove) as refused:
            move("LN-1", status, how)
        assert refused.value.context["current_status"] == status.value


def test_the_table_is_exactly_the_documented_lifecycle():
    assert dict(TRANSITIONS) == EXPECTED


def test_a_unit_out_already_is_refused_as_already_checked_out():
    with pytest.raises(AlreadyCheckedOut) as refused:
        move("LN-1", LoanerStatus.checked_out, Move.check_out)
    assert refused.value.title == "Loaner already checked out"
    assert refused.value.context == {
        "current_status": "checked_out",
        "move": "check_out",
        "allowed": ["check_in"],
        "serial": "LN-1",
    }


@pytest.mark.parametrize("status", [LoanerStatus.available, LoanerStatus.retired])
def test_checking_in_a_unit_not_out_is_refused(status):
    with pytest.raises(NotCheckedOut):
        move("LN-1", status, Move.check_in)


def test_closed_and_cancelled_tickets_get_no_loaner():
    assert is_live("open") and is_live("in_progress")
    assert not is_live("closed") and not is_live("cancelled")


def test_a_loan_is_overdue_only_while_out_past_its_due_back():
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert is_overdue(now - timedelta(seconds=1), None, now)
    assert not is_overdue(now, None, now)
    assert not is_overdue(now - timedelta(days=1), now - timedelta(days=2), now)


def test_the_same_model_is_preferred_to_a_similar_one_even_if_farther():
    same_far = unit("LN-9", at=GUANGZHOU)
    similar_near = unit("LN-1", model="S5720", at=SHANGHAI)
    assert choose_loaner([similar_near, same_far], WANTED, SHANGHAI) == same_far


def test_a_similar_model_needs_the_same_manufacturer_and_the_same_category():
    other_maker = unit("LN-1", model="CS9300", manufacturer="cisco")
    other_category = unit("LN-2", model="AR6120", category="router")
    similar = unit("LN-3", model="S5720")
    assert choose_loaner([other_maker, other_category], WANTED, SHANGHAI) is None
    assert choose_loaner([other_maker, other_category, similar], WANTED, SHANGHAI) == similar


def test_a_maker_is_the_same_however_it_is_capitalised():
    similar = unit("LN-3", model="S5720")
    assert choose_loaner([similar], Wanted("S5735", "Huawei", "switch"), SHANGHAI) == similar


def test_without_a_known_category_only_the_same_model_fits():
    unknown = Wanted("S5735", "huawei", None)
    assert choose_loaner([unit("LN-1", model="S5720")], unknown, SHANGHAI) is None
    assert choose_loaner([unit("LN-2")], unknown, SHANGHAI) == unit("LN-2")


def test_no_unit_at_all_is_no_choice():
    assert choose_loaner([], WANTED, SHANGHAI) is None


def test_of_the_same_model_the_nearest_the_site_goes():
    near, far = unit("LN-9", at=SHANGHAI), unit("LN-1", at=BEIJING)
    assert choose_loaner([far, near], WANTED, (31.0, 121.0)) == near
    assert choose_loaner([far, near], WANTED, (40.0, 116.0)) == far


def test_equally_near_units_are_taken_by_serial_and_so_is_a_site_without_a_position():
    a, b = unit("LN-A", at=BEIJING), unit("LN-B", at=BEIJING)
    assert choose_loaner([b, a], WANTED, SHANGHAI) == a
    assert choose_loaner([unit("LN-Z"), unit("LN-C", at=GUANGZHOU)], WANTED, None).serial == "LN-C"


@given(st.permutations([unit("LN-1"), unit("LN-2", at=BEIJING), unit("LN-3", model="S5720")]))
def test_the_choice_does_not_depend_on_the_order_units_are_listed_in(units):
    assert choose_loaner(units, WANTED, SHANGHAI) == unit("LN-1")


@pytest.mark.parametrize(("status", "how"), list(product(ReplacementStatus, ReplacementMove)))
def test_a_replacement_is_delivered_once_and_nothing_else(status, how):
    if (status, how) == (ReplacementStatus.ordered, ReplacementMove.deliver):
        assert replacement_move(status, how) is ReplacementStatus.delivered
    else:
        with pytest.raises(ReplacementIllegalMove):
            replacement_move(status, how)
