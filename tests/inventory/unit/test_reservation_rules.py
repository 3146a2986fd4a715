"""Nearest stock (IV-1), originals only (IV-4), quantity bounds and backorders strictly oldest
first."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from haversine import haversine
from hypothesis import given
from hypothesis import strategies as st

from services.inventory.contracts.rules import Waiver
from services.inventory.reservations.rules import (
    ORIGINALS_ONLY,
    Backorder,
    OriginalsOnly,
    QuantityOutOfRange,
    check_originals,
    check_quantity,
    nearest,
    serve_order,
)
from services.inventory.stock.ledger import Balance, Level

BEIJING = (39.9042, 116.4074)
TIANJIN = (39.3434, 117.3616)
SHANGHAI = (31.2304, 121.4737)
T0 = datetime(2026, 11, 25, 10, tzinfo=UTC)


def level(name: str, at: tuple[float, float], available: int, reserved: int = 0) -> Level:
    balance = Balance(available + reserved, reserved, 1)
    return Level(uuid.uuid4(), name, at[0], at[1], balance, "regional_office")


def test_the_nearest_location_with_enough_is_chosen_over_a_nearer_one_without():
    levels = [
        level("Beijing office", BEIJING, 1, reserved=4),
        level("Tianjin depot", TIANJIN, 5),
        level("Shanghai HQ", SHANGHAI, 50),
    ]
    choice = nearest(levels, (39.95, 116.3), 2)
    assert choice is not None and choice.level.location_name == "Tianjin depot"
    assert choice.distance_km == pytest.approx(haversine((39.95, 116.3), TIANJIN), abs=0.001)


def test_no_single_location_with_enough_means_none_even_when_the_sum_would_do():
    levels = [level("A", BEIJING, 3), level("B", TIANJIN, 3)]
    assert nearest(levels, BEIJING, 4) is None


def test_equal_distances_are_broken_by_name():
    levels = [level("Zeta", TIANJIN, 2), level("Alpha", TIANJIN, 2)]
    choice = nearest(levels, BEIJING, 1)
    assert choice is not None and choice.level.location_name == "Alpha"


def test_without_a_site_position_the_location_with_the_most_available_is_chosen():
    levels = [level("B", BEIJING, 5), level("A", SHANGHAI, 9), level("C", TIANJIN, 9)]
    choice = nearest(levels, None, 1)
    assert choice is not None
    assert (choice.level.location_name, choice.distance_km) == ("A", None)


coordinates = st.tuples(st.floats(-89, 89, allow_nan=False), st.floats(-179, 179, allow_nan=False))


@given(
    site=coordinates,
    stock=st.lists(st.tuples(coordinates, st.integers(0, 20)), min_size=0, max_size=8),
    quantity=st.integers(1, 20),
)
def test_no_location_with_enough_is_nearer_than_the_one_chosen(site, stock, quantity):
    levels = [level(f"L{i}", at, available) for i, (at, available) in enumerate(stock)]
    choice = nearest(levels, site, quantity)
    enough = [lv for lv in levels if lv.available >= quantity]
    if not enough:
        assert choice is None
        return
    assert choice is not None and choice.level.available >= quantity
    assert all(
        haversine(site, (lv.latitude, lv.longitude)) >= choice.distance_km - 0.001 for lv in enough
    )


def test_an_original_new_part_needs_no_waiver():
    assert check_originals(True, "new", None) is None


@pytest.mark.parametrize(("original", "condition"), [(False, "new"), (True, "refurbished")])
def test_a_third_party_or_refurbished_part_is_refused_without_a_waiver_naming_iv4(
    original, condition
):
    with pytest.raises(OriginalsOnly) as refused:
        check_originals(original, condition, None)
    assert refused.value.slug == "originals-only"
    assert refused.value.context["requirement"] == "IV-4"
    assert refused.value.context["rule"] == ORIGINALS_ONLY
    assert "IV-4" in refused.value.detail


def test_with_a_waiver_the_reservation_cites_it():
    waiver = Waiver("WVR-2026-017", "Zhang Wei", T0)
    assert check_originals(False, "refurbished", waiver) == "WVR-2026-017"


@pytest.mark.parametrize("quantity", [0, -1, 10_001])
def test_a_quantity_outside_one_to_ten_thousand_is_refused(quantity):
    with pytest.raises(QuantityOutOfRange):
        check_quantity(quantity)


@pytest.mark.parametrize("quantity", [1, 10_000])
def test_the_bounds_themselves_are_accepted(quantity):
    check_quantity(quantity)


def backorder(minutes: int, quantity: int, site=BEIJING) -> Backorder:
    return Backorder(uuid.uuid4(), quantity, T0 + timedelta(minutes=minutes), site)


def test_backorders_are_served_oldest_first_from_what_is_left():
    younger, oldest, middle = backorder(20, 2), backorder(0, 3), backorder(10, 1)
    served = serve_order(
        [younger, oldest, middle], [level("A", BEIJING, 4), level("B", SHANGHAI, 2)]
    )
    assert [(b, c.level.location_name) for b, c in served] == [
        (oldest, "A"),
        (middle, "A"),
        (younger, "B"),
    ]
    # The levels handed back are the locations as they were, not as the simulation left them.
    assert served[0][1].level.available == 4


def test_an_older_backorder_that_cannot_be_served_blocks_younger_ones_so_none_starves():
    big, small = backorder(0, 5), backorder(5, 1)
    assert serve_order([small, big], [level("A", BEIJING, 4)]) == []


@given(
    quantities=st.lists(st.integers(1, 6), max_size=8),
    stock=st.lists(st.integers(0, 10), min_size=1, max_size=4),
)
def test_what_is_served_is_a_prefix_of_the_queue_and_never_more_than_a_location_has(
    quantities, stock
):
    queue = [backorder(i, q) for i, q in enumerate(quantities)]
    levels = [level(f"L{i}", BEIJING, available) for i, available in enumerate(stock)]
    served = serve_order(list(reversed(queue)), levels)
    assert [b for b, _ in served] == queue[: len(served)]
    for lv in levels:
        taken = sum(b.quantity for b, c in served if c.level.location_id == lv.location_id)
        assert taken <= lv.available
    if len(served) < len(queue):
        head = queue[len(served)]
        left = {
            lv.location_id: lv.available
            - sum(b.quantity for b, c in served if c.level.location_id == lv.location_id)
            for lv in levels
        }
        assert all(available < head.quantity for available in left.values())
