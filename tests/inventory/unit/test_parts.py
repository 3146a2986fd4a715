import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.inventory.parts.api import part_number_after
from services.inventory.parts.rules import PART_NUMBER
from shared.events.base import parse_event
from shared.events.inventory import PartRegistered, PartRegisteredV1
from shared.http.pagination import encode_cursor
from shared.http.problems import Problem


@pytest.mark.parametrize("number", ["HP-123", "J9F42A", "PN/123.4_b"])
def test_manufacturer_part_numbers_are_accepted(number):
    assert PART_NUMBER.match(number)


@pytest.mark.parametrize("number", ["", "-lead", "has space", "x" * 65, "semi;colon"])
def test_odd_part_numbers_are_refused(number):
    assert not PART_NUMBER.match(number)


def test_an_old_part_registered_reads_its_vendor_as_the_manufacturer_of_an_original_new_part():
    event = parse_event("part.registered", 1, PartRegisteredV1.example)
    assert type(event) is PartRegistered
    assert event.manufacturer == PartRegisteredV1.example["vendor"]
    assert (event.description, event.models, event.original, event.condition) == (
        PartRegisteredV1.example["description"],
        [],
        True,
        "new",
    )


def test_a_part_registered_never_carries_the_unit_cost():
    assert "unit_cost" not in PartRegistered.model_fields


def test_a_part_number_may_not_end_in_the_name_of_a_route_below_a_part():
    from services.inventory.parts.rules import names_a_sub_resource

    assert names_a_sub_resource("HP-1/ledger") and names_a_sub_resource("A/B/availability")
    assert not names_a_sub_resource("ledger") and not names_a_sub_resource("HP-1/ledgers")
    assert not names_a_sub_resource("0231A5L9/02")


@given(st.from_regex(PART_NUMBER, fullmatch=True))
def test_a_catalogue_cursor_gives_back_the_part_number_it_was_made_from(number):
    assert part_number_after(encode_cursor(number)) == number


@pytest.mark.parametrize(
    "cursor",
    [
        "bm90IGpzb24",
        encode_cursor("HP-1\x00"),
        encode_cursor("HP-1\n"),
        encode_cursor("\ud800"),
        encode_cursor(1),
        encode_cursor("HP-1", "HP-2"),
    ],
)
def test_a_catalogue_cursor_not_made_from_a_part_number_is_refused_as_invalid(cursor):
    with pytest.raises(Problem) as refused:
        part_number_after(cursor)
    assert (refused.value.status, refused.value.slug) == (422, "cursor-invalid")
