"""`python -m bench.dispatch`: what one dispatch decision costs among 1,000 engineers.

The worst case of the target: every engineer has the ticket's skill, so every one is screened to
the end or to the filter that turns them away, and the explanation covers all 1,000. Their
shifts come from five calendar objects (as the service shares one object per definition, so
each calendar's memo of days stays warm), positions within 200 km of the sites, loads from idle
to full, a few on leave, on call or in the mobile pool. The jobs vary priority, region, site,
hour of the week, coverage, on-site terms, resident engineer and who was already asked.

Timed in process around `decide` alone: a CPU figure of the pure rule, as the business-time one
is. p50/p99 are wall time, what a ticket waits; `cpu_p99_ms` is this thread's CPU, which other
tenants of a shared machine do not inflate. `as_json` (what the handler stores) is timed apart.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

import typer

from bench.stats import percentile
from services.dispatch.assignments.decision import (
    Coverage,
    Engineer,
    Exclusion,
    Job,
    PositionSource,
    Seniority,
    Team,
    decide,
)
from shared.businesstime import Calendar, calendar, weekly

ENGINEERS = 1_000
REGIONS = ("north", "south", "east", "west", "centre")
CENTRE = (39.90, 116.40)
# Two weeks from a Monday in March: weekdays, nights and weekends, no Chinese holiday.
FIRST_HOUR = datetime(2026, 3, 9, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def shifts() -> list[Calendar]:
    """A handful of shared calendar objects, as the service keeps one per definition."""
    return [
        calendar("cn-5x8"),
        calendar("24x7"),
        weekly("Asia/Shanghai", {"mon-fri": ["08:00-12:00", "13:00-18:00"]}, name="day-split"),
        weekly("Asia/Shanghai", {"mon-sun": ["00:00-08:00", "20:00-24:00"]}, name="nights"),
        weekly("Asia/Shanghai", {"sat-sun": ["08:00-20:00"]}, name="weekends"),
    ]


def _near(rng: random.Random, km: float) -> tuple[float, float]:
    # ~111 km a degree of latitude; longitude shrinks by cos(40°) ≈ 0.77 here.
    return (
        CENTRE[0] + rng.uniform(-km, km) / 111,
        CENTRE[1] + rng.uniform(-km, km) / 85,
    )


def engineers(rng: random.Random, count: int = ENGINEERS) -> list[Engineer]:
    calendars = shifts()
    people = []
    for n in range(count):
        capacity = rng.randint(2, 6)
        start = FIRST_HOUR + timedelta(hours=rng.randrange(14 * 24))
        on_call = ((start, start + timedelta(hours=12)),) if rng.random() < 0.3 else ()
        people.append(
            Engineer(
                id=UUID(int=rng.getrandbits(128)),
                name=f"Engineer {n}",
                skills=frozenset({"network", rng.choice(("host", "storage", "security"))}),
                team=rng.choices(list(Team), weights=(70, 15, 15))[0],
                seniority=Seniority.senior if rng.random() < 0.3 else Seniority.maintainer,
                regions=frozenset(rng.sample(REGIONS, rng.randint(1, 2))),
                shift=rng.choice(calendars),
                capacity=capacity,
                load=rng.randint(0, capacity),
                on_call=on_call,
                active=rng.random() < 0.95,
                position=None if rng.random() < 0.05 else _near(rng, 200),
                position_source=rng.choice(list(PositionSource)),
            )
        )
    return people


def jobs(rng: random.Random, people: list[Engineer], count: int) -> list[Job]:
    office = calendar("cn-5x8")
    return [
        Job(
            ticket_id=UUID(int=rng.getrandbits(128)),
            priority=rng.choice(("P1", "P2", "P3", "P4")),
            skill="network",
            at=FIRST_HOUR + timedelta(minutes=rng.randrange(14 * 24 * 60)),
            business_calendar=office,
            region=rng.choice((*REGIONS, None)),
            site=_near(rng, 100),
            coverage=rng.choice((*Coverage, None)),
            onsite_minutes=rng.choice((120, 240, 360, None)),
            resident_engineer_id=rng.choice(people).id if rng.random() < 0.3 else None,
            excluded={e.id: Exclusion.declined for e in rng.sample(people, rng.randint(0, 3))},
        )
        for _ in range(count)
    ]


def measure(*, repeat: int = 3, decisions: int = 500, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    people = engineers(rng)
    work = jobs(rng, people, decisions)
    for job in work[:20]:  # the calendars' memo of days, as a running service has it
        decide(job, people)
    runs = []
    for _ in range(repeat):
        took_ms: list[float] = []
        cpu_ms: list[float] = []
        eligible: list[int] = []
        began = time.perf_counter()
        for job in work:
            t, c = time.perf_counter(), time.thread_time()
            decision = decide(job, people)
            cpu_ms.append((time.thread_time() - c) * 1e3)
            took_ms.append((time.perf_counter() - t) * 1e3)
            eligible.append(sum(v.eligible for v in decision.candidates))
        elapsed = time.perf_counter() - began
        runs.append(
            {
                "p50_ms": round(percentile(took_ms, 0.5) or 0.0, 2),
                "p99_ms": round(percentile(took_ms, 0.99) or 0.0, 2),
                "max_ms": round(max(took_ms), 2),
                # this thread's CPU alone: what is left of the p99 when other tenants of a
                # shared machine take the cores away
                "cpu_p99_ms": round(percentile(cpu_ms, 0.99) or 0.0, 2),
                # the loop around decide (counting the eligible) is in the rate, not in p50/p99
                "decisions_per_s": round(len(work) / elapsed, 1),
                "eligible_median": statistics.median(eligible),
            }
        )
    sample = decide(work[0], people)
    as_json_ms = []
    for _ in range(20):
        t = time.perf_counter()
        json.dumps(sample.as_json())
        as_json_ms.append((time.perf_counter() - t) * 1e3)
    return {
        "case": f"{ENGINEERS} engineers, all with the skill; {decisions} jobs",
        "runs": runs,
        "p99_ms_median": statistics.median(r["p99_ms"] for r in runs),
        "as_json_dumps_ms": round(statistics.median(as_json_ms), 2),
        "summary_example": sample.summary(),
    }


app = typer.Typer(add_completion=False)


@app.command()
def main(
    runs: Annotated[int, typer.Option(min=1, max=20, help="measured runs")] = 5,
    decisions: Annotated[int, typer.Option(min=10, max=10_000, help="jobs decided per run")] = 500,
    seed: Annotated[int, typer.Option(help="the generated engineers and jobs")] = 7,
) -> None:
    """Time `decide` among 1,000 engineers: p50/p99 ms per decision and decisions/s."""
    print(json.dumps(measure(repeat=runs, decisions=decisions, seed=seed), indent=2))


if __name__ == "__main__":
    app()
