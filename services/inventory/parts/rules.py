"""What a part is and who may see it (IV-1, IV-7). Pure: no I/O."""

from __future__ import annotations

import re

from shared.errors import Conflict, NotFound

# Manufacturers' part numbers: letters, digits and a few separators, as printed on the label.
PART_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")


class PartNotFound(NotFound):
    title = "No such part"


class PartExists(Conflict):
    title = "Part already registered"


def may_see(part_vendor: str, *, vendor: str | None, is_staff: bool) -> bool:
    """IV-7: a partner vendor sees availability of its own parts only; staff see all."""
    return is_staff or (vendor is not None and vendor == part_vendor)
