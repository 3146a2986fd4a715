"""Words the services share because the events carry them."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """DS-2: the engineers' task groups. A ticket's category is the skill it needs."""

    host = "host"
    network = "network"
    security = "security"
    system_software = "system_software"
    storage = "storage"
    other = "other"
