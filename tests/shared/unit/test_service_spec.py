"""A service's handler map decides the topics it reads; a type claimed twice fails at start-up."""

import pytest
from fastapi import APIRouter

from shared.events.dispatch import AssignmentAccepted
from shared.events.intake import TicketCreated
from shared.service import ServiceSpec, handler_map
from shared.settings import Settings


async def on_created(event, envelope, uow): ...


async def on_accepted(event, envelope, uow): ...


async def also_on_created(event, envelope, uow): ...


def spec(handlers, **kwargs) -> ServiceSpec:
    return ServiceSpec("escalation", "t", "d", [APIRouter()], handlers=handlers, **kwargs)


def test_the_topics_read_are_those_of_the_owners_of_the_handled_types():
    service = spec({TicketCreated: on_created, AssignmentAccepted.type: on_accepted})
    assert service.consumed_owners() == ["dispatch", "intake"]
    settings = Settings(topic_prefix="p")
    assert service.topics(settings) == ["p.dispatch", "p.intake"]


def test_a_service_without_handlers_reads_no_topic():
    assert spec({}).consumed_owners() == []


def test_handler_maps_of_several_slices_merge_by_type_name():
    merged = handler_map({TicketCreated: on_created}, {"assignment.accepted": on_accepted})
    assert merged == {"ticket.created": on_created, "assignment.accepted": on_accepted}


def test_a_type_claimed_by_two_slices_fails_at_start_up():
    with pytest.raises(ValueError, match="claimed by two handlers"):
        handler_map({TicketCreated: on_created}, {"ticket.created": also_on_created})


def test_a_handler_for_a_type_no_contract_declares_fails_at_start_up():
    with pytest.raises(ValueError, match="no event contract"):
        spec({"ticket.teleported": on_created})


def test_a_rules_context_may_not_shadow_a_problem_member():
    from shared.errors import Conflict

    with pytest.raises(ValueError, match="problem members"):
        Conflict("cannot", status="resolved")
