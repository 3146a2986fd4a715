"""Every SQL statement of the vendor API, as constants. Reads only: no lock, no ledger row."""

from __future__ import annotations

from asyncpg import Connection

from services.inventory.vendors.rules import LocationAvailability, VendorPart

_MANUFACTURER = "SELECT manufacturer FROM inventory.parts WHERE part_number = $1"
_VENDOR_PARTS = """
SELECT part_number, description, models, original, condition FROM inventory.parts
WHERE manufacturer = $1 AND ($2::text IS NULL OR part_number > $2)
ORDER BY part_number LIMIT $3"""
# The latest ledger row of a part at a location is its balance there: one backward probe of the
# unique (part, location, position) index per part and location, however long the history.
# Only locations with something available: the answer is where a part can be had now, and a
# vendor learns nothing of where its parts once were.
_AVAILABLE = """
SELECT p.part_number, l.id, l.name, l.kind, l.latitude, l.longitude,
       m.on_hand_after - m.reserved_after AS available
FROM unnest($1::text[]) AS p(part_number)
CROSS JOIN inventory.locations l
CROSS JOIN LATERAL (
    SELECT on_hand_after, reserved_after FROM inventory.movements
    WHERE part_number = p.part_number AND location_id = l.id ORDER BY position DESC LIMIT 1
) m
WHERE m.on_hand_after > m.reserved_after
ORDER BY p.part_number, l.name"""


async def manufacturer_of(conn: Connection, part_number: str) -> str | None:
    return await conn.fetchval(_MANUFACTURER, part_number)


async def vendor_parts(
    conn: Connection, manufacturer: str, *, after: str | None, limit: int
) -> list[VendorPart]:
    return [
        VendorPart(
            r["part_number"], r["description"], list(r["models"]), r["original"], r["condition"]
        )
        for r in await conn.fetch(_VENDOR_PARTS, manufacturer, after, limit)
    ]


async def available(
    conn: Connection, part_numbers: list[str]
) -> dict[str, list[LocationAvailability]]:
    """Each part's locations with any available, by location name; a part with none has []."""
    found: dict[str, list[LocationAvailability]] = {n: [] for n in part_numbers}
    for r in await conn.fetch(_AVAILABLE, part_numbers):
        found[r["part_number"]].append(
            LocationAvailability(
                r["id"], r["name"], r["kind"], r["latitude"], r["longitude"], r["available"]
            )
        )
    return found
