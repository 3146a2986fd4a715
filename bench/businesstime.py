"""`python -m bench.businesstime`: what one business-time addition costs across a holiday week.

The case of the target: a P4's 24 business hours on `cn-5x8` from 2026-09-30 16:00 Shanghai.
90 minutes that day, National Day week off (Oct 1-7), 540 on Oct 8 and 9, the last 270 on the
make-up Saturday: due Oct 10 13:00. Timed as a service runs it, with the built-in calendar's memo
of days warm; `cold_us` adds on a fresh copy of the calendar, memo empty (the year's holiday list
stays cached: building it costs ~0.1 s once per process and year).
"""

from __future__ import annotations

import json
import statistics
import timeit
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.businesstime import add, calendar

START = datetime(2026, 9, 30, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MINUTES = 24 * 60


def measure(*, repeat: int = 3, number: int = 10_000) -> dict[str, Any]:
    cal = calendar("cn-5x8")
    due = add(cal, START, MINUTES)

    def cold() -> None:
        add(replace(cal), START, MINUTES)

    cold_us = min(timeit.repeat(cold, repeat=3, number=1_000)) / 1_000 * 1e6
    add(cal, START, MINUTES)
    runs_us = [
        t / number * 1e6
        for t in timeit.repeat(lambda: add(cal, START, MINUTES), repeat=repeat, number=number)
    ]
    return {
        "case": f"cn-5x8 {START.isoformat()} + {MINUTES} min",
        "due": due.isoformat(),
        "runs_us": [round(r, 2) for r in runs_us],
        "median_us": round(statistics.median(runs_us), 2),
        "cold_us": round(cold_us, 2),
    }


if __name__ == "__main__":
    print(json.dumps(measure(repeat=7), indent=2))
