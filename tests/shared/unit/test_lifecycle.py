"""What every lifecycle's refusal says, whichever aggregate refuses."""

from enum import StrEnum

import pytest

from shared.errors import Conflict
from shared.lifecycle import IllegalMove, allowed_from


class Door(StrEnum):
    open = "open"
    shut = "shut"
    locked = "locked"


class Push(StrEnum):
    shut = "shut"
    lock = "lock"
    open = "open"
    unlock = "unlock"


TABLE = {
    (Door.open, Push.shut): Door.shut,
    (Door.shut, Push.lock): Door.locked,
    (Door.shut, Push.open): Door.open,
    (Door.locked, Push.unlock): Door.shut,
}


def test_the_moves_allowed_are_the_tables_own_in_its_order():
    assert allowed_from(TABLE, Door.shut) == (Push.lock, Push.open)
    assert allowed_from({(Door.shut, Push.open): 1, (Door.shut, Push.lock): 2}, Door.shut) == (
        Push.open,
        Push.lock,
    )


def test_a_status_the_table_leaves_no_move_from_allows_none():
    assert allowed_from({(Door.open, Push.shut): Door.shut}, Door.locked) == ()


def test_a_refusal_is_a_conflict_naming_the_status_the_move_and_the_moves_allowed():
    refused = IllegalMove("a door", Door.shut, Push.unlock, allowed_from(TABLE, Door.shut))
    assert isinstance(refused, Conflict)
    assert refused.title == "Move not allowed in this status"
    assert refused.detail == "a door that is shut cannot unlock; allowed: lock, open"
    assert refused.context == {
        "current_status": "shut",
        "move": "unlock",
        "allowed": ["lock", "open"],
    }


def test_the_members_are_plain_strings_a_client_reads_as_json():
    refused = IllegalMove("a door", Door.locked, Push.open, (Push.unlock,))
    members = [refused.context["current_status"], refused.context["move"]]
    members += refused.context["allowed"]
    assert all(type(m) is str for m in members)
    assert (refused.current, refused.how, refused.allowed) == (
        Door.locked,
        Push.open,
        (Push.unlock,),
    )


def test_nothing_allowed_reads_as_none():
    refused = IllegalMove("a door", "gone", "open", [])
    assert refused.detail.endswith("allowed: none") and refused.context["allowed"] == []


def test_an_aggregate_may_add_what_names_the_thing_refused():
    refused = IllegalMove("a loaner", "retired", "check_out", [], serial="LN-1")
    assert refused.context["serial"] == "LN-1"


def test_extra_context_may_not_take_a_member_of_the_problem_document():
    with pytest.raises(ValueError):
        IllegalMove("a door", "shut", "open", [], instance="/doors/1")
