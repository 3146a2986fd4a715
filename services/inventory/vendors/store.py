"""Every SQL statement of the vendor API, as constants. Reads only: no lock, no ledger row."""

from __future__ import annotations

from asyncpg import Connection

from services.inventory.vendors.rules import VendorPart

_MANUFACTURER = "SELECT manufacturer FROM inventory.parts WHERE part_number = $1"
_VENDOR_PARTS = """
SELECT part_number, description, models, original, condition FROM inventory.parts
WHERE manufacturer = $1 AND ($2::text IS NULL OR part_number > $2)
ORDER BY part_number LIMIT $3"""


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
