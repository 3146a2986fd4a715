"""The escalation ladder fed by real events and its timer, on real PostgreSQL (ES-3..ES-5)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.escalation.ladder.rules import (
    AlreadyAcknowledged,
    LevelNotReached,
    LevelPassed,
    NotLevelContact,
)
from shared.events.dispatch import AssignmentCreated, AssignmentUnassigned
from shared.events.escalation import EscalationAcknowledged, EscalationRaised
from tests.escalation.integration.conftest import contract, ticket

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
H = timedelta(hours=1)
# Clocks far off, so that only the steps' limits move the ladder.
QUIET = {"P4": {"response_minutes": 500_000, "restore_minutes": 500_000}}


async def a_ticket_assigned_and_left(world, **terms):
    """A P4 under 7x24 cover (one working day per step = 24 hours), assigned at T0."""
    signed = contract(coverage="7x24", onsite_minutes=500_000, targets=QUIET, **terms)
    await world.deliver(signed)
    world.at(T0)
    created = ticket(T0, "P4", contract_id=signed.contract_id)
    await world.deliver(created)
    await world.deliver(
        AssignmentCreated(
            ticket_id=created.ticket_id,
            assignment_id=uuid.uuid4(),
            engineer_id=uuid.uuid4(),
            assigned_at=T0,
        )
    )
    return created.ticket_id


def raised(world) -> list[tuple[int, str, datetime]]:
    return [(e.level, e.reason, e.at) for e in world.published("escalation.raised")]


async def test_nobody_acting_climbs_the_ladder_from_one_to_four_once_a_limit(world):
    tid = await a_ticket_assigned_and_left(world)
    for days in range(1, 7):
        world.at(T0 + days * DAY + H)
        await world.tick()
    assert raised(world) == [(level, "step_limit", T0 + level * DAY) for level in (1, 2, 3, 4)]
    [first, *_] = world.published("escalation.raised")
    assert isinstance(first, EscalationRaised)
    assert first.step == "assigned_to_accepted"
    assert first.contact == {
        "level": 1,
        "role": "support team lead",
        "name": "Li Na",
        "email": "li.na@example.com",
        "phone": None,
    }
    ladder = (await world.sla(tid))["ladder"]
    assert ladder["level"] == 4 and ladder["next_raise_at"] is None
    assert [e["level"] for e in ladder["history"] if e["kind"] == "raised"] == [1, 2, 3, 4]


async def test_a_contract_s_own_step_limit_moves_the_ladder_at_its_minutes(world):
    await a_ticket_assigned_and_left(world, step_limits={"P4": {"accept_minutes": 90}})
    world.at(T0 + timedelta(minutes=89))
    await world.tick()
    assert raised(world) == []
    world.at(T0 + timedelta(minutes=91))
    await world.tick()
    assert raised(world) == [(1, "step_limit", T0 + timedelta(minutes=90))]


async def test_an_acknowledgement_holds_the_ladder_once_per_level(world):
    tid = await a_ticket_assigned_and_left(world)
    world.at(T0 + DAY + H)
    await world.tick()
    assert raised(world) == [(1, "step_limit", T0 + DAY)]
    held = await world.ack(tid, "Li.Na@example.com")
    assert held["held_until"] == T0 + 2 * DAY + H
    [ack] = world.published("escalation.acknowledged")
    assert isinstance(ack, EscalationAcknowledged) and (ack.level, ack.by) == (
        1,
        "Li.Na@example.com",
    )
    with pytest.raises(AlreadyAcknowledged):
        await world.ack(tid, "li.na@example.com")
    # Past level 1's own limit (T0 + 2 days) but inside the hold: no climb.
    world.at(T0 + 2 * DAY + 30 * timedelta(minutes=1))
    await world.tick()
    assert [level for level, *_ in raised(world)] == [1]
    # The hold's end: level 2, whose limit starts then.
    world.at(T0 + 2 * DAY + 2 * H)
    await world.tick()
    assert raised(world)[-1] == (2, "step_limit", T0 + 2 * DAY + H)
    with pytest.raises(NotLevelContact):
        await world.ack(tid, "li.na@example.com", level=2)
    with pytest.raises(LevelPassed):
        await world.ack(tid, "li.na@example.com")
    with pytest.raises(LevelNotReached):
        await world.ack(tid, "someone", level=3, is_admin=True)
    await world.ack(tid, "zl@example.com")
    world.at(T0 + 6 * DAY)
    await world.tick()
    assert [level for level, *_ in raised(world)] == [1, 2, 3, 4]


async def test_nobody_to_assign_raises_to_the_team_lead_at_once(world):
    signed = contract()
    await world.deliver(signed)
    world.at(T0)
    created = ticket(T0, "P3", contract_id=signed.contract_id)
    await world.deliver(created)
    await world.deliver(
        AssignmentUnassigned(
            ticket_id=created.ticket_id, reason="no engineer", at=T0 + timedelta(seconds=5)
        )
    )
    assert raised(world) == [(1, "unassigned", T0 + timedelta(seconds=5))]


async def test_a_clock_breach_raises_the_ladder_in_the_same_transaction(world):
    signed = contract(coverage="7x24")
    await world.deliver(signed)
    world.at(T0)
    created = ticket(T0, "P1", contract_id=signed.contract_id)
    await world.deliver(created)
    world.at(T0 + 31 * timedelta(minutes=1))
    await world.tick()
    [breach] = world.published("sla.breached")
    assert raised(world) == [(1, "breach", T0 + 30 * timedelta(minutes=1))]
    ladder = (await world.sla(created.ticket_id))["ladder"]
    assert ladder["history"][-1]["clock_id"] == breach.clock_id
