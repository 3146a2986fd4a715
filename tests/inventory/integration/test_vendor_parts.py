"""IV-7 on real PostgreSQL: a vendor's own parts, a page at a time, each with where it can be had.

Parts, locations and ledger rows are written as rows here: this is about what the vendor API
reads, not how the catalogue and the ledger are fed."""

import uuid
from datetime import UTC, datetime

import pytest

from services.inventory.parts.rules import PartNotFound
from services.inventory.vendors import handlers
from services.inventory.vendors.rules import NotAVendor
from shared.db import UnitOfWork

AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


async def a_part(uow: UnitOfWork, number: str, maker: str, *, cost: str = "99.50") -> str:
    await uow.conn.execute(
        "INSERT INTO inventory.parts (part_number, manufacturer, description, models, original, "
        "condition, unit_cost, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, true, 'new', $5::numeric, $6, $6)",
        number,
        maker,
        f"{maker} part {number}",
        ["M1"],
        cost,
        AT,
    )
    return number


async def a_location(uow: UnitOfWork, name: str) -> uuid.UUID:
    location = uuid.uuid4()
    await uow.conn.execute(
        "INSERT INTO inventory.locations (id, name, kind, latitude, longitude, created_at) "
        "VALUES ($1, $2, 'regional', 31.2, 121.5, $3)",
        location,
        name,
        AT,
    )
    return location


async def balance(
    uow: UnitOfWork, part: str, location: uuid.UUID, on_hand: int, reserved: int, position: int
) -> None:
    """A ledger row carrying the balance after it; the latest position is the level."""
    await uow.conn.execute(
        "INSERT INTO inventory.movements (part_number, location_id, position, kind, "
        "on_hand_delta, reserved_delta, on_hand_after, reserved_after, by, at) "
        "VALUES ($1, $2, $3, 'adjustment', 0, 0, $4, $5, 'test', $6)",
        part,
        location,
        position,
        on_hand,
        reserved,
        AT,
    )


def maker() -> str:
    return f"maker-{uuid.uuid4().hex[:8]}"


async def test_a_vendor_pages_through_its_own_parts_only_in_part_number_order(uow):
    mine, theirs = maker(), maker()
    numbers = [await a_part(uow, f"{mine}-{i:02d}", mine) for i in (3, 1, 4, 0, 2)]
    await a_part(uow, f"{theirs}-00", theirs)
    seen, after = [], None
    while True:
        page = await handlers.vendor_parts(uow, mine, after=after, limit=2)
        seen.append([part.part_number for part, _ in page.parts])
        after = page.next_after
        if after is None:
            break
    assert seen == [sorted(numbers)[0:2], sorted(numbers)[2:4], sorted(numbers)[4:]]


async def test_a_page_that_ends_exactly_at_the_last_part_says_no_more_follow(uow):
    mine = maker()
    for i in range(2):
        await a_part(uow, f"{mine}-{i}", mine)
    page = await handlers.vendor_parts(uow, mine, after=None, limit=2)
    assert len(page.parts) == 2 and page.next_after is None


async def test_each_part_lists_where_any_is_available_from_its_latest_ledger_row(uow):
    mine = maker()
    part = await a_part(uow, f"{mine}-PSU", mine)
    north, south, east = [await a_location(uow, f"{mine}-{n}") for n in ("north", "south", "east")]
    await balance(uow, part, north, on_hand=5, reserved=0, position=1)
    await balance(uow, part, north, on_hand=5, reserved=2, position=2)  # the latest counts
    await balance(uow, part, south, on_hand=4, reserved=4, position=1)  # all promised: not listed
    await balance(uow, part, east, on_hand=1, reserved=0, position=1)
    [(listed, levels)] = (await handlers.vendor_parts(uow, mine, after=None, limit=50)).parts
    assert listed.part_number == part
    assert [(level.location_name, level.available) for level in levels] == [
        (f"{mine}-east", 1),
        (f"{mine}-north", 3),
    ]
    found = await handlers.availability(uow, part, vendor=mine, is_staff=False)
    assert (found.manufacturer, found.available) == (mine, 4)
    assert found.locations == levels


async def test_a_part_with_nothing_anywhere_is_listed_with_none_available(uow):
    mine = maker()
    part = await a_part(uow, f"{mine}-FAN", mine)
    [(_, levels)] = (await handlers.vendor_parts(uow, mine, after=None, limit=50)).parts
    found = await handlers.availability(uow, part, vendor=mine, is_staff=False)
    assert levels == [] and (found.available, found.locations) == (0, [])


async def test_another_makers_part_is_refused_exactly_as_one_that_does_not_exist(uow):
    mine, theirs = maker(), maker()
    other = await a_part(uow, f"{theirs}-X", theirs)
    refusals = []
    for number in (other, f"{theirs}-never-registered"):
        with pytest.raises(PartNotFound) as refused:
            await handlers.availability(uow, number, vendor=mine, is_staff=False)
        refusals.append((refused.value.detail.replace(number, "#"), refused.value.context))
    assert refusals[0][0] == refusals[1][0]
    assert refusals[0][1].keys() == refusals[1][1].keys() == {"part_number"}


async def test_staff_see_any_makers_part(uow):
    theirs = maker()
    part = await a_part(uow, f"{theirs}-Y", theirs)
    found = await handlers.availability(uow, part, vendor=None, is_staff=True)
    assert found.manufacturer == theirs


async def test_a_token_without_a_vendor_claim_has_no_parts_of_its_own(uow):
    with pytest.raises(NotAVendor):
        await handlers.vendor_parts(uow, None, after=None, limit=50)
