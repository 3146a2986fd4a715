"""What the phone's time may be, the order an offline batch is applied in, and why an action
queued offline is the same action as one sent to its own route."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from services.dispatch.assignments.lifecycle import PHONE_MOVES, Move
from services.dispatch.assignments.rules import (
    MAX_BATCH,
    OccurredOutsideWindow,
    RepeatedSerial,
    check_occurred_at,
    check_parts,
    phone_order,
)
from services.dispatch.assignments.schemas import BODIES, ActionBatch, QueuedItem

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
REPORT = {
    "work_done": "Swapped the PSU",
    "root_cause": "Fan seized",
    "fault_type": "hardware",
    "parts_used": [{"part_number": "PSU", "serial_out": "A", "serial_in": "B", "quantity": 1}],
    "minutes_on_site": 40,
}


@pytest.mark.parametrize(
    "occurred_at",
    [
        NOW,
        NOW - timedelta(days=7),
        NOW + timedelta(minutes=5),
        # Another offset for the same instant is the same instant.
        (NOW + timedelta(minutes=5)).astimezone(timezone(timedelta(hours=8))),
    ],
)
def test_a_phone_time_from_a_week_back_to_five_minutes_ahead_is_believed(occurred_at):
    check_occurred_at(occurred_at, NOW)


@pytest.mark.parametrize(
    "occurred_at",
    [NOW - timedelta(days=7, microseconds=1), NOW + timedelta(minutes=5, microseconds=1)],
)
def test_a_phone_time_outside_the_window_is_refused_naming_the_field_and_the_window(occurred_at):
    with pytest.raises(OccurredOutsideWindow) as refused:
        check_occurred_at(occurred_at, NOW)
    assert refused.value.context == {
        "field": "occurred_at",
        "earliest": NOW - timedelta(days=7),
        "latest": NOW + timedelta(minutes=5),
    }


def test_a_serial_out_or_in_twice_in_one_report_is_refused():
    check_parts([("A", "B"), (None, "C"), (None, None)])
    with pytest.raises(RepeatedSerial) as refused:
        check_parts([("A", "B"), ("B", None)])
    assert refused.value.context["serials"] == ["B"]


def test_a_batch_is_applied_in_the_phones_time_order_and_ties_keep_the_order_sent():
    t = [NOW + timedelta(minutes=m) for m in (30, 10, 20, 10)]
    assert phone_order(t) == [1, 3, 2, 0]


@given(st.lists(st.integers(min_value=0, max_value=5), max_size=30))
def test_the_order_is_a_permutation_sorted_by_time_then_position(minutes):
    times = [NOW + timedelta(minutes=m) for m in minutes]
    order = phone_order(times)
    assert sorted(order) == list(range(len(times)))
    assert [(times[i], i) for i in order] == sorted((t, i) for i, t in enumerate(times))


def body_of(how: Move) -> dict:
    extra: dict[Move, dict] = {
        Move.decline: {"reason": "On another P1"},
        Move.depart: {"position": {"latitude": 31.2, "longitude": 121.5, "accuracy_m": 8.0}},
        Move.arrive: {"position": {"latitude": 31.23, "longitude": 121.47}},
        Move.complete: {"report": REPORT},
    }
    return {"occurred_at": "2026-11-25T17:00:00+08:00", **extra.get(how, {})}


@pytest.mark.parametrize("how", PHONE_MOVES)
def test_a_queued_action_fingerprints_as_the_body_of_its_own_route(how):
    # The same key alone and in a batch is one action only if both hash the same body.
    sent = body_of(how)
    queued = TypeAdapter(QueuedItem).validate_python(
        {"assignment_id": "0c9b8a7d-1e2f-4a3b-8c4d-5e6f7a8b9c0d", "key": "k", "action": how, **sent}
    )
    assert queued.body() == BODIES[how].model_validate(sent).model_dump(mode="json")


@pytest.mark.parametrize(("how", "missing"), [(Move.decline, "reason"), (Move.complete, "report")])
def test_a_decline_without_a_reason_or_a_completion_without_a_report_is_invalid(how, missing):
    sent = {k: v for k, v in body_of(how).items() if k != missing}
    with pytest.raises(ValidationError) as invalid:
        BODIES[how].model_validate(sent)
    assert [e["loc"] for e in invalid.value.errors()] == [(missing,)]


def test_a_position_with_an_accept_is_not_silently_dropped():
    with pytest.raises(ValidationError):
        BODIES[Move.accept].model_validate(body_of(Move.depart))


def test_a_naive_phone_time_is_invalid():
    with pytest.raises(ValidationError):
        BODIES[Move.accept].model_validate({"occurred_at": "2026-11-25T09:00:00"})


def test_a_batch_holds_one_to_two_hundred_actions():
    item = {"assignment_id": "0c9b8a7d-1e2f-4a3b-8c4d-5e6f7a8b9c0d", "action": "accept"}
    actions = [{**item, "key": f"k{i}", **body_of(Move.accept)} for i in range(MAX_BATCH + 1)]
    assert len(ActionBatch.model_validate({"actions": actions[:MAX_BATCH]}).actions) == MAX_BATCH
    for wrong in ([], actions):
        with pytest.raises(ValidationError):
            ActionBatch.model_validate({"actions": wrong})
