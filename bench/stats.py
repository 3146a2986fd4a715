"""Percentiles of one run and the median/min/max of several runs."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks, as PostgreSQL's `percentile_cont`."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True, slots=True)
class Spread:
    """One figure over several runs: the median is the figure, min and max show the noise."""

    median: float | None
    min: float | None
    max: float | None
    runs: tuple[float | None, ...]

    @classmethod
    def of(cls, runs: Sequence[float | None]) -> Spread:
        present = [r for r in runs if r is not None]
        if not present:
            return cls(None, None, None, tuple(runs))
        return cls(statistics.median(present), min(present), max(present), tuple(runs))

    def as_json(self) -> dict[str, object]:
        return {"median": self.median, "min": self.min, "max": self.max, "runs": list(self.runs)}
