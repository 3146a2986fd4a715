"""Contract rules (IN-10, DS-4): targets, warranty and entitlement, without a database."""

import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.intake.contracts import rules
from services.intake.contracts.rules import (
    DEFAULT_TARGETS,
    Calendar,
    Contract,
    Coverage,
    Priority,
    Target,
    TargetOverride,
    TargetsInconsistent,
    Warranty,
    WarrantyInverted,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def a_contract(**overrides) -> Contract:
    return Contract(
        **{
            "id": uuid.uuid4(),
            "customer_id": uuid.uuid4(),
            "coverage": Coverage.five_by_eight,
            "emergency_onsite_7x24": False,
            "onsite_minutes": 360,
            "calendar": Calendar.cn_5x8,
            "targets": {},
            "warranty_start": date(2026, 1, 1),
            "warranty_end": date(2026, 12, 31),
            "originals_waiver": None,
            "resident_engineer_id": None,
            "ladder": (),
            "created_at": NOW,
            "updated_at": NOW,
        }
        | overrides
    )


def test_without_overrides_the_seed_targets_apply():
    assert rules.effective_targets({}) == {
        Priority.P1: Target(30, 60),
        Priority.P2: Target(30, 120),
        Priority.P3: Target(30, 240),
        Priority.P4: Target(30, 1440),
    }


def test_an_override_replaces_only_the_minutes_it_names():
    targets = rules.effective_targets(
        {
            Priority.P1: TargetOverride(restore_minutes=90),
            Priority.P4: TargetOverride(response_minutes=60),
        }
    )
    assert targets[Priority.P1] == Target(30, 90)
    assert targets[Priority.P4] == Target(60, 1440)
    assert targets[Priority.P2] == DEFAULT_TARGETS[Priority.P2]


def test_a_restore_target_before_the_response_target_is_refused():
    with pytest.raises(TargetsInconsistent) as refused:
        rules.effective_targets({Priority.P2: TargetOverride(response_minutes=180)})
    assert refused.value.context == {"field": "targets", "priority": "P2"}


def test_the_default_warranty_is_one_year_from_acceptance():
    assert Warranty.from_acceptance(date(2026, 3, 15)) == Warranty(
        date(2026, 3, 15), date(2027, 3, 14)
    )
    assert rules.one_year_after(date(2026, 1, 1)) == date(2026, 12, 31)
    assert rules.one_year_after(date(2028, 2, 29)) == date(2029, 2, 28)
    assert rules.one_year_after(date(2027, 3, 1)) == date(2028, 2, 29)


def test_a_warranty_that_ends_before_it_starts_is_refused_naming_the_end():
    with pytest.raises(WarrantyInverted) as refused:
        Warranty(date(2026, 5, 2), date(2026, 5, 1))
    assert refused.value.context["field"] == "warranty_end"
    with pytest.raises(WarrantyInverted):
        rules.check(a_contract(warranty_start=date(2027, 1, 1)))


def test_a_warranty_covers_its_first_and_last_day_whole():
    warranty = Warranty(date(2026, 1, 1), date(2026, 12, 31))
    assert rules.in_warranty(warranty, datetime(2026, 1, 1, 0, 0, tzinfo=UTC))
    assert rules.in_warranty(warranty, datetime(2026, 12, 31, 23, 59, tzinfo=UTC))
    assert not rules.in_warranty(warranty, datetime(2027, 1, 1, 0, 0, tzinfo=UTC))
    assert not rules.in_warranty(warranty, datetime(2025, 12, 31, 23, 59, tzinfo=UTC))


def test_the_last_day_of_warranty_is_the_customers_day():
    warranty = Warranty(date(2026, 1, 1), date(2026, 12, 31))
    # 07:00 on 1 January in Shanghai is still 31 December in UTC.
    call = datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    assert rules.in_warranty(warranty, call)
    assert not rules.in_warranty(warranty, call, SHANGHAI)
    assert rules.chargeable(warranty, call, SHANGHAI)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    st.datetimes(
        min_value=datetime(1999, 1, 1), max_value=datetime(2099, 1, 1), timezones=st.just(UTC)
    ),
)
def test_service_is_chargeable_exactly_when_out_of_warranty(accepted_on, at):
    warranty = Warranty.from_acceptance(accepted_on)
    assert rules.chargeable(warranty, at) is not rules.in_warranty(warranty, at)


def test_the_entitlement_uses_the_assets_warranty_when_the_ticket_names_one():
    contract = a_contract(warranty_end=date(2026, 3, 1))
    late = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)
    by_contract = rules.entitlement(contract, late)
    by_asset = rules.entitlement(
        contract, late, warranty=Warranty(date(2026, 8, 1), date(2027, 8, 1))
    )
    assert (by_contract.in_warranty, by_contract.chargeable) == (False, True)
    assert (by_asset.in_warranty, by_asset.chargeable) == (True, False)
    assert (by_asset.contract_id, by_asset.coverage, by_asset.calendar) == (
        contract.id,
        Coverage.five_by_eight,
        Calendar.cn_5x8,
    )


@pytest.mark.parametrize(
    ("coverage", "emergency_terms", "working_time", "emergency", "onsite"),
    [
        (Coverage.five_by_eight, False, True, False, True),
        (Coverage.five_by_eight, False, False, False, False),
        (Coverage.five_by_eight, False, False, True, False),
        (Coverage.five_by_eight, True, False, True, True),  # IN-10: 7x24 on site for emergencies
        (Coverage.five_by_eight, True, False, False, False),
        (Coverage.seven_by_twenty_four, False, False, False, True),
    ],
)
def test_on_site_cover_at_a_time(coverage, emergency_terms, working_time, emergency, onsite):
    contract = a_contract(coverage=coverage, emergency_onsite_7x24=emergency_terms)
    cover = rules.coverage_at(contract, working_time=working_time, emergency=emergency)
    assert cover.phone is True  # IN-10: phone support is 7x24 whatever the contract
    assert cover.onsite is onsite
    assert cover.onsite_minutes == (360 if onsite else None)
