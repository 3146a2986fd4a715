import pytest

from shared.service import DuplicateHandler, handler_map


async def on_created(event, envelope, uow): ...


async def on_created_too(event, envelope, uow): ...


async def on_accepted(event, envelope, uow): ...


def test_slices_handler_maps_merge_into_one():
    merged = handler_map({"ticket.created": on_created}, {"assignment.accepted": on_accepted})
    assert merged == {"ticket.created": on_created, "assignment.accepted": on_accepted}


def test_an_event_type_claimed_by_two_slices_is_refused_naming_both():
    with pytest.raises(DuplicateHandler, match="ticket.created.*on_created.*on_created_too"):
        handler_map({"ticket.created": on_created}, {"ticket.created": on_created_too})
