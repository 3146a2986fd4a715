"""What a part is (IV-1). Pure: no I/O."""

from __future__ import annotations

import re
from enum import StrEnum

from shared.errors import Conflict, NotFound

# What the routes below a part are called (`/parts/{part_number}/ledger`). A part number may
# hold "/", so one ending in "/ledger" could not be told from the ledger of another part.
SUB_RESOURCES = ("availability", "ledger", "stock", "reorder-points")
# Manufacturers' part numbers: letters, digits and a few separators, as printed on the label.
PART_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
# The same inside a route's path, where the part number is followed by nothing: a request for
# `/parts/X/ledger` with a method the ledger has not is then a 405, not a part named "X/ledger".
# Any character but a newline, as Starlette's `path` matches: a path no `:path` route takes
# (one with a newline in it) is then no route's at all (404), not a part's with the wrong method.
PART_NUMBER_IN_PATH = rf"(?:(?!/(?:{'|'.join(SUB_RESOURCES)})$).)+"


def names_a_sub_resource(part_number: str) -> bool:
    return part_number.rpartition("/")[2] in SUB_RESOURCES and "/" in part_number


class Condition(StrEnum):
    new = "new"
    refurbished = "refurbished"


class PartNotFound(NotFound):
    title = "No such part"


class PartExists(Conflict):
    title = "Part already registered"
