"""When stock needs the ops team's attention. Pure: no I/O."""

from __future__ import annotations


def crossed_reorder_point(available_before: int, available_after: int, reorder_point: int) -> bool:
    """Once per fall: a location already below its point says nothing more until restocked."""
    return available_before >= reorder_point > available_after
