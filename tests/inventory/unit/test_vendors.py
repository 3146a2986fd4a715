"""IV-7: who sees a part, and how a vendor over its rate is told when to come back."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.inventory.vendors.quota import VendorQuota
from services.inventory.vendors.rules import may_see, retry_after_s

MAKERS = ["HP", "Dell", "hp", "Huawei"]


@pytest.mark.parametrize(
    ("maker", "vendor", "is_staff"),
    list(itertools.product(MAKERS, [*MAKERS, None], [False, True])),
)
def test_staff_see_every_part_and_a_vendor_only_its_own_makers(maker, vendor, is_staff):
    # Exact spelling: "hp" is not "HP", so no vendor reads a maker it merely resembles.
    assert may_see(maker, vendor=vendor, is_staff=is_staff) is (is_staff or vendor == maker)


def test_a_token_without_a_vendor_claim_sees_no_part_unless_staff():
    assert not may_see("HP", vendor=None, is_staff=False)


@given(
    st.floats(min_value=0, max_value=1e9, allow_nan=False),
    st.floats(min_value=-120, max_value=3600, allow_nan=False),
)
def test_the_wait_is_whole_seconds_never_zero_and_never_short(now, ahead):
    wait = retry_after_s(now + ahead, now)
    assert isinstance(wait, int) and wait >= 1
    assert wait >= (now + ahead) - now - 1e-6


def test_a_reset_a_fraction_of_a_second_away_is_one_second():
    assert retry_after_s(100.2, 100.0) == 1
    assert retry_after_s(160.0, 100.0) == 60
    assert retry_after_s(99.0, 100.0) == 1


def test_a_vendor_past_its_rate_waits_and_another_vendor_does_not():
    quota = VendorQuota("3/minute")
    assert [quota.take("HP") for _ in range(3)] == [None, None, None]
    wait = quota.take("HP")
    assert wait is not None and 1 <= wait <= 60
    assert quota.take("Dell") is None


def test_a_refused_call_is_not_counted():
    # A vendor retrying too early must not push its own window further out.
    quota = VendorQuota("1/minute")
    assert quota.take("HP") is None
    first = quota.take("HP")
    for _ in range(50):
        quota.take("HP")
    later = quota.take("HP")
    assert first is not None and later is not None and later <= first
