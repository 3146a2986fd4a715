"""The pure rules around a decision: which calendar, when the answer is due, when the engineer
must be on site, and what a ticket's crew still lacks. No I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from services.dispatch.assignments.decision import (
    Coverage,
    Engineer,
    Exclusion,
    Job,
    PositionSource,
    Seniority,
    Team,
    Want,
)
from services.dispatch.assignments.lifecycle import LIVE, AssignmentStatus
from services.dispatch.engineers.rules import on_call_at, shift_calendar
from shared.businesstime import Calendar, UnknownCalendar, add, calendar, is_working

URGENT = frozenset({"P1", "P2"})
_EXCLUDED_BY_STATUS: Mapping[str, Exclusion] = {
    AssignmentStatus.declined: Exclusion.declined,
    AssignmentStatus.timed_out: Exclusion.timed_out,
    **{status: Exclusion.on_ticket for status in LIVE},
}


def business_calendar(name: str | None, coverage: str | None) -> Calendar:
    """The contract's calendar; a name dispatch does not know (a calendar escalation manages)
    falls back to the coverage's built-in one."""
    if name:
        try:
            return calendar(name)
        except UnknownCalendar:
            pass
    return calendar("24x7" if coverage == "7x24" else "cn-5x8")


def onsite_calendar(
    priority: str, coverage: str | None, emergency_7x24: bool, name: str | None
) -> Calendar:
    """IN-10: P1 and P2 run around the clock under emergency 7x24 on-site cover; the rest on
    the contract's calendar."""
    if coverage == "7x24" or (priority in URGENT and emergency_7x24):
        return calendar("24x7")
    return business_calendar(name, coverage)


def onsite_due(ticket: Mapping[str, Any]) -> datetime | None:
    """When the contract's on-site terms (DS-4) expect an engineer there; None without terms."""
    minutes = ticket.get("onsite_minutes")
    start = ticket.get("reported_at") or ticket.get("received_at")
    if minutes is None or start is None:
        return None
    cal = onsite_calendar(
        ticket["priority"],
        ticket.get("coverage"),
        bool(ticket.get("emergency_onsite_7x24")),
        ticket.get("calendar"),
    )
    return add(cal, start, minutes)


def respond_by(priority: str, at: datetime, accept_minutes: Mapping[str, int]) -> datetime:
    """The acceptance time-out: unanswered by then, the next candidate is asked."""
    return at + timedelta(minutes=accept_minutes[priority])


def job_of(ticket: Mapping[str, Any], on_ticket: Iterable[Mapping[str, Any]], at: datetime) -> Job:
    """The decision's view of a ticket: its terms, and who has been on it already."""
    excluded: dict[UUID, Exclusion] = {}
    for assignment in on_ticket:
        why = _EXCLUDED_BY_STATUS.get(assignment["status"])
        if why is not None:
            excluded[assignment["engineer_id"]] = why
    site = None if ticket.get("latitude") is None else (ticket["latitude"], ticket["longitude"])
    coverage = ticket.get("coverage")
    return Job(
        ticket_id=ticket["id"],
        priority=ticket["priority"],
        skill=ticket["category"],
        at=at,
        business_calendar=business_calendar(ticket.get("calendar"), coverage),
        region=ticket.get("region"),
        site=site,
        coverage=Coverage(coverage) if coverage else None,
        onsite_minutes=ticket.get("onsite_minutes"),
        resident_engineer_id=ticket.get("resident_engineer_id"),
        excluded=excluded,
    )


def engineer_of(row: Mapping[str, Any]) -> Engineer:
    """An engineer as the decision weighs them: last known position, else home base."""
    position = None if row["latitude"] is None else (row["latitude"], row["longitude"])
    return Engineer(
        id=row["id"],
        name=row["name"],
        skills=frozenset(row["skills"]),
        team=Team(row["team"]),
        seniority=Seniority(row["seniority"]),
        regions=frozenset(row["regions"]),
        shift=shift_calendar(row["shift"]),
        capacity=row["capacity"],
        load=row["active_assignments"],
        certifications=frozenset(row["certifications"]),
        on_call=tuple(
            (datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in row["on_call"]
        ),
        active=row["status"] == "active",
        position=position,
        position_source=PositionSource.last_known if row["position_known"] else PositionSource.home,
    )


def crew_gaps(priority: str, live: Iterable[Mapping[str, Any]]) -> list[Want]:
    """What a ticket's live assignments still lack: a crew when nobody is on it; for a P1
    (DS-7), a senior of the expert centre and a maintainer beside the lead."""
    live = list(live)
    if not any(a["role"] == "lead" for a in live):
        return [Want.crew] if not live else [Want.one]
    if priority != "P1":
        return []
    wants = []
    if not any(
        a["team"] == Team.expert_centre and a["seniority"] == Seniority.senior for a in live
    ):
        wants.append(Want.expert_support)
    if not any(a["seniority"] == Seniority.maintainer for a in live):
        wants.append(Want.support)
    return wants


def needs_expert(level: int, live: Iterable[Mapping[str, Any]]) -> bool:
    """ES-4: from the ladder's second level the ticket gets an expert-centre engineer."""
    return level >= 2 and not any(a["team"] == Team.expert_centre for a in live)


def board(rows: Mapping[str, list[dict[str, Any]]], now: datetime) -> dict[str, Any]:
    """The board's rows, aged at `now`, open work grouped by status, engineers' shifts read."""
    by_status: dict[str, list[dict[str, Any]]] = {s: [] for s in LIVE}
    for row in rows["assignments"]:
        row["age_minutes"] = round((now - row["assigned_at"]).total_seconds() / 60, 1)
        row["overdue_answer"] = row["status"] == "assigned" and row["respond_by"] <= now
        by_status[row["status"]].append(row)
    for row in rows["unassigned"]:
        row["age_minutes"] = round((now - row["received_at"]).total_seconds() / 60, 1)
    engineers = []
    for row in rows["engineers"]:
        periods = [
            (datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in row.pop("on_call")
        ]
        shift = shift_calendar(row.pop("shift"))
        row["on_shift"] = is_working(shift, now)
        row["on_call"] = on_call_at(periods, now)
        engineers.append(row)
    return {
        "at": now,
        "assignments": {str(status): items for status, items in by_status.items()},
        "counts": {str(status): len(items) for status, items in by_status.items()},
        "unassigned": rows["unassigned"],
        "engineers": engineers,
    }
