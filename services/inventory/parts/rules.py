"""What a part is (IV-1). Pure: no I/O."""

from __future__ import annotations

import re
from enum import StrEnum

from shared.errors import Conflict, NotFound

# Manufacturers' part numbers: letters, digits and a few separators, as printed on the label.
PART_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")


class Condition(StrEnum):
    new = "new"
    refurbished = "refurbished"


class PartNotFound(NotFound):
    title = "No such part"


class PartExists(Conflict):
    title = "Part already registered"
