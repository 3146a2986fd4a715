"""IN-1/IN-10 entry rules: when a report counts from, which contract serves it, how alarms group."""

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.intake.contracts.rules import Calendar, Contract, Coverage
from services.intake.tickets import entry

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def contract(start: date, end: date) -> Contract:
    return Contract(
        id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        coverage=Coverage.five_by_eight,
        emergency_onsite_7x24=False,
        onsite_minutes=360,
        calendar=Calendar.cn_5x8,
        targets={},
        warranty_start=start,
        warranty_end=end,
        originals_waiver=None,
        resident_engineer_id=None,
        ladder=(),
        created_at=NOW,
        updated_at=NOW,
    )


def test_a_report_without_a_time_counts_from_now():
    assert entry.reported_at(None, NOW) == NOW


def test_a_report_may_run_five_minutes_ahead_of_our_clock_but_no_more():
    assert entry.reported_at(NOW + timedelta(minutes=5), NOW) == NOW + timedelta(minutes=5)
    with pytest.raises(entry.ReportedInTheFuture) as refused:
        entry.reported_at(NOW + timedelta(minutes=5, seconds=1), NOW)
    assert refused.value.context["field"] == "reported_at"


def test_a_backlog_counts_from_when_it_was_reported_within_thirty_days():
    assert entry.reported_at(NOW - timedelta(days=30), NOW) == NOW - timedelta(days=30)
    with pytest.raises(entry.ReportedTooLongAgo):
        entry.reported_at(NOW - timedelta(days=30, seconds=1), NOW)


def test_the_one_contract_in_warranty_serves_a_report_by_customer():
    old = contract(date(2024, 1, 1), date(2024, 12, 31))
    current = contract(date(2026, 1, 1), date(2026, 12, 31))
    assert entry.contract_of_customer([old, current], NOW) is current


def test_a_customers_only_contract_serves_it_even_out_of_warranty():
    old = contract(date(2024, 1, 1), date(2024, 12, 31))
    assert entry.contract_of_customer([old], NOW) is old


def test_no_contract_is_guessed_among_several_or_none():
    assert entry.contract_of_customer([], NOW) is None
    both = [contract(date(2026, 1, 1), date(2026, 12, 31)) for _ in range(2)]
    assert entry.contract_of_customer(both, NOW) is None
    expired = [contract(date(2024, 1, 1), date(2024, 12, 31)) for _ in range(2)]
    assert entry.contract_of_customer(expired, NOW) is None


def test_warranty_days_are_the_customers():
    # 31 Dec 2026 17:00 UTC is already 1 Jan 2027 in Shanghai: the renewed contract's day there.
    ends_2026 = contract(date(2026, 1, 1), date(2026, 12, 31))
    starts_2027 = contract(date(2027, 1, 1), date(2027, 12, 31))
    late = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    both = [ends_2026, starts_2027]
    assert entry.contract_of_customer(both, late) is ends_2026
    assert entry.contract_of_customer(both, late, ZoneInfo("Asia/Shanghai")) is starts_2027


@pytest.mark.parametrize(
    ("fields", "refusal", "field"),
    [
        ({}, entry.NeitherCustomerNorSerial, "customer_id"),
        (
            {"customer_id": uuid.uuid4(), "manufacturer": "h3c"},
            entry.ManufacturerWithoutSerial,
            "serial",
        ),
        ({"serial": "SN-1", "alarm": object()}, entry.AlarmNeedsMonitoringAndSerial, "alarm"),
        (
            {"customer_id": uuid.uuid4(), "channel": "monitoring", "alarm": object()},
            entry.AlarmNeedsMonitoringAndSerial,
            "alarm",
        ),
    ],
)
def test_fields_that_only_make_sense_together_are_refused_naming_one(fields, refusal, field):
    given = {
        "customer_id": None,
        "serial": None,
        "manufacturer": None,
        "channel": "phone",
        "alarm": None,
    }
    with pytest.raises(refusal) as refused:
        entry.check_shape(**(given | fields))
    assert refused.value.context["field"] == field


def test_a_serial_of_another_customer_is_refused():
    owner = uuid.uuid4()
    entry.check_owner(None, owner, "SN-1")
    entry.check_owner(owner, owner, "SN-1")
    with pytest.raises(entry.SerialOfAnotherCustomer):
        entry.check_owner(uuid.uuid4(), owner, "SN-1")


def test_repeats_of_an_alarm_group_by_asset_source_and_code_in_arrival_order():
    asset = uuid.uuid4()
    link, fan = entry.AlarmKey(asset, "zabbix", "LINK"), entry.AlarmKey(asset, "zabbix", "FAN")
    assert entry.group_alarms([link, None, fan, link, link]) == {link: [0, 3, 4], fan: [2]}


def test_the_lock_id_of_an_alarm_is_stable_and_a_signed_bigint():
    key = entry.AlarmKey(uuid.UUID(int=7), "zabbix", "LINK")
    assert key.lock_id() == entry.AlarmKey(uuid.UUID(int=7), "zabbix", "LINK").lock_id()
    assert key.lock_id() != entry.AlarmKey(uuid.UUID(int=7), "zabbix", "FAN").lock_id()
    assert -(2**63) <= key.lock_id() < 2**63


def test_repeats_see_the_counts_they_would_have_seen_one_after_another():
    assert [entry.occurrence_seen(10, 4, p) for p in range(4)] == [7, 8, 9, 10]
