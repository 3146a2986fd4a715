"""The ledger's rules: what every kind of movement does to a balance, and what it refuses."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.inventory.stock.ledger import (
    EFFECTS,
    MAX_COUNT,
    Balance,
    InsufficientStock,
    MovementKind,
    StockCountOutOfRange,
    book,
)
from services.inventory.stock.rules import (
    MoreAcceptedThanReceived,
    TransferToItself,
    check_transfer,
    crossed_reorder_point,
    inspect_by,
    is_overdue,
    rejected_at_inspection,
    rejection_reason,
)

K = MovementKind
# 5 on hand, 2 of them reserved (3 available), at the ledger's 7th row.
START = Balance(on_hand=5, reserved=2, position=7)

# (kind, quantity) -> (on hand, reserved) after; every kind appears, with what it may not do.
BOOKED = {
    (K.receipt, 4): (9, 2),
    (K.transfer_in, 4): (9, 2),
    (K.transfer_out, 3): (2, 2),
    (K.reservation, 3): (5, 5),
    (K.release, 2): (5, 0),
    (K.pick, 2): (5, 2),
    (K.consume, 2): (3, 0),
    (K.return_, 2): (5, 0),
    (K.adjustment, 4): (9, 2),
    (K.adjustment, -3): (2, 2),
}
REFUSED = {
    # Takes more than is available: the reserved units are promised to tickets.
    (K.transfer_out, 4): InsufficientStock,
    (K.reservation, 4): InsufficientStock,
    (K.adjustment, -4): InsufficientStock,
    # Gives back more than is reserved.
    (K.release, 3): InsufficientStock,
    (K.consume, 3): InsufficientStock,
    (K.return_, 3): InsufficientStock,
}


def test_the_tables_cover_every_kind_of_movement():
    assert {kind for kind, _ in BOOKED} == set(MovementKind) == set(EFFECTS)


@pytest.mark.parametrize(("kind", "quantity"), sorted(BOOKED), ids=str)
def test_each_movement_moves_on_hand_and_reserved_as_its_effect_says(kind, quantity):
    after = book(START, kind, quantity)
    assert (after.on_hand, after.reserved) == BOOKED[(kind, quantity)]
    assert after.position == START.position + 1


@pytest.mark.parametrize(("kind", "quantity"), sorted(REFUSED), ids=str)
def test_a_movement_that_would_promise_or_take_what_is_not_there_is_refused(kind, quantity):
    with pytest.raises(REFUSED[(kind, quantity)]) as refused:
        book(START, kind, quantity)
    assert refused.value.context  # names what there is


def test_a_transfer_out_refused_names_the_available_count():
    with pytest.raises(InsufficientStock) as refused:
        book(START, K.transfer_out, 10)
    assert refused.value.context == {"available": 3}
    assert "only 3 available" in refused.value.detail


def test_a_pick_changes_no_count_the_part_stays_reserved_until_consumed_or_returned():
    picked = book(START, K.pick, 2)
    assert (picked.on_hand, picked.reserved, picked.available) == (5, 2, 3)


def test_the_first_movement_of_a_part_at_a_location_is_position_one():
    assert book(Balance(), K.receipt, 1) == Balance(on_hand=1, reserved=0, position=1)


def test_a_count_past_the_ledgers_integer_is_refused():
    with pytest.raises(StockCountOutOfRange):
        book(Balance(on_hand=MAX_COUNT), K.receipt, 1)


@given(
    moves=st.lists(
        st.tuples(st.sampled_from(list(MovementKind)), st.integers(-20, 20)), max_size=40
    )
)
def test_whatever_is_booked_a_balance_never_goes_negative_nor_reserves_more_than_on_hand(moves):
    balance = Balance()
    for kind, quantity in moves:
        if quantity < 0 and kind is not K.adjustment:
            continue  # only an adjustment moves down by a negative quantity
        try:
            balance = book(balance, kind, quantity)
        except InsufficientStock:
            continue
        assert 0 <= balance.reserved <= balance.on_hand


@pytest.mark.parametrize(
    ("before", "after", "point", "crossed"),
    [
        (3, 1, 2, True),  # falls below
        (2, 1, 2, True),  # from at the point to below it
        (3, 2, 2, False),  # reaches it, not below
        (1, 0, 2, False),  # already below: said once, not again
        (0, 0, 0, False),  # a point of 0 is never crossed
        (5, 4, 0, False),
    ],
)
def test_stock_low_is_said_once_per_fall_below_the_reorder_point(before, after, point, crossed):
    assert crossed_reorder_point(before, after, point) is crossed


def test_a_delivery_is_inspected_within_two_days_and_is_overdue_only_uninspected_after():
    received = datetime(2026, 11, 25, 10, tzinfo=UTC)
    due = inspect_by(received)
    assert due == received + timedelta(days=2)
    assert not is_overdue(None, due, due)
    assert is_overdue(None, due, due + timedelta(seconds=1))
    assert not is_overdue(due, due, due + timedelta(days=30))


def test_the_units_rejected_at_inspection_are_those_not_accepted():
    assert rejected_at_inspection(uuid4(), 5, 5) == 0
    assert rejected_at_inspection(uuid4(), 5, 3) == 2
    assert rejected_at_inspection(uuid4(), 5, 0) == 5
    with pytest.raises(MoreAcceptedThanReceived):
        rejected_at_inspection(uuid4(), 5, 6)
    assert rejection_reason("2 cracked") == "rejected at inspection: 2 cracked"


def test_a_transfer_to_the_location_it_comes_from_is_refused():
    here = uuid4()
    with pytest.raises(TransferToItself):
        check_transfer(here, here)
    check_transfer(here, uuid4())
