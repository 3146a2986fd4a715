import pytest

from services.inventory.parts.rules import PART_NUMBER, may_see


def test_a_vendor_sees_only_its_own_parts():
    assert may_see("hp", vendor="hp", is_staff=False)
    assert not may_see("hp", vendor="dell", is_staff=False)
    assert not may_see("hp", vendor=None, is_staff=False)


def test_staff_see_every_part():
    assert may_see("hp", vendor=None, is_staff=True)


@pytest.mark.parametrize("number", ["HP-123", "J9F42A", "PN/123.4_b"])
def test_manufacturer_part_numbers_are_accepted(number):
    assert PART_NUMBER.match(number)


@pytest.mark.parametrize("number", ["", "-lead", "has space", "x" * 65, "semi;colon"])
def test_odd_part_numbers_are_refused(number):
    assert not PART_NUMBER.match(number)
