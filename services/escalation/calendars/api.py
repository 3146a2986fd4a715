"""Calendars over HTTP: the service manager defines them, UIs preview a "due by" on them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.responses import JSONResponse

from services.escalation.access import EscalationAdmin, SlaReader
from services.escalation.calendars import handlers
from services.escalation.calendars.commands import ChangeCalendar, DefineCalendar, PreviewDue
from services.escalation.calendars.rules import NAME, NAME_MAX_LENGTH
from services.escalation.calendars.schemas import (
    CalendarCreate,
    CalendarPatch,
    CalendarPublic,
    DuePublic,
    DueRequest,
)
from shared.http.commands import CommandEndpoint
from shared.http.idempotency import IdempotencyKey
from shared.http.pagination import (
    DEFAULT_LIMIT,
    Cursor,
    Limit,
    Page,
    decode_key,
    is_text,
    page_of,
)
from shared.http.problems import BODY_PROBLEMS, problem_responses
from shared.http.routing import api_router
from shared.service import RuntimeDep

router = api_router()

# Any string up to the longest name: a name that cannot exist is simply not found (404).
Name = Annotated[str, Path(min_length=1, max_length=NAME_MAX_LENGTH, description="e.g. cn-5x8")]


DEFINE: CommandEndpoint[DefineCalendar] = CommandEndpoint(
    "calendars",
    handlers.define_calendar,
    render=CalendarPublic.model_validate,
    status_code=201,
    location=lambda c: f"/v1/calendars/{c['name']}",
)
CHANGE: CommandEndpoint[ChangeCalendar] = CommandEndpoint(
    "calendars.change", handlers.change_calendar, render=CalendarPublic.model_validate
)

_INVALID = (
    "Invalid body: a time zone that is not IANA, a range not HH:MM-HH:MM or overlapping "
    "another on its day, a week without working time, a date both a holiday and a make-up day "
    "(`field` names it); or Idempotency-Key reused with another body"
)


@router.post(
    "/calendars",
    status_code=201,
    response_model=CalendarPublic,
    tags=["calendars"],
    summary="Define a calendar",
    description="ES-7: a time zone, working ranges per weekday (several a day: a lunch break is "
    "two ranges), holidays and make-up working days. SLA clocks and ladder steps count business "
    "time on it once a contract names it. Send an Idempotency-Key to retry safely.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        409,
        422,
        described={
            409: "The name is a built-in calendar's or taken, or a request with this "
            "Idempotency-Key is still in progress",
            422: _INVALID,
        },
    ),
)
async def define_calendar(
    body: CalendarCreate,
    request: Request,
    runtime: RuntimeDep,
    principal: EscalationAdmin,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = DefineCalendar(
        name=body.name,
        timezone=body.timezone,
        ranges=body.ranges,
        holidays=body.holidays,
        workdays=body.workdays,
        by=principal.sub,
    )
    return await DEFINE(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )


@router.patch(
    "/calendars/{name}",
    response_model=CalendarPublic,
    tags=["calendars"],
    summary="Change a calendar",
    description="Only the fields sent change: `holidays` and `workdays` replace the lists, "
    "`add_holidays`/`remove_holidays` (and the same for workdays) change them date by date. "
    "Send the `version` you read to be refused (409) if someone changed it since. Clocks "
    "running on the calendar get their due times again in the same transaction. A change "
    "that changes nothing keeps the version.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        409,
        422,
        described={
            404: "No such calendar",
            409: "A built-in calendar (read-only), or changed since the `version` sent",
            422: _INVALID,
        },
    ),
)
async def change_calendar(
    name: Name,
    body: CalendarPatch,
    request: Request,
    runtime: RuntimeDep,
    principal: EscalationAdmin,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    command = ChangeCalendar(
        name=name, change=body.amendment(), expected_version=body.version, by=principal.sub
    )
    return await CHANGE(
        runtime, request, principal=principal.sub, key=idempotency_key, command=command, body=body
    )


@router.get(
    "/calendars/{name}",
    response_model=CalendarPublic,
    tags=["calendars"],
    summary="A calendar, built in or defined",
    responses=problem_responses(404),
)
async def get_calendar(name: Name, runtime: RuntimeDep, principal: SlaReader) -> Any:
    async with runtime.uow() as uow:
        return await handlers.get_calendar(uow, name)


@router.get(
    "/calendars",
    response_model=Page[CalendarPublic],
    tags=["calendars"],
    summary="Every calendar, built in or defined, by name",
)
async def list_calendars(
    runtime: RuntimeDep, principal: SlaReader, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> Any:
    after = _name_after(cursor)
    async with runtime.uow() as uow:
        calendars = await handlers.list_calendars(uow, after=after, limit=limit)
    return page_of(
        [CalendarPublic.model_validate(c) for c in calendars], limit, key=lambda c: (c.name,)
    )


def _name_after(cursor: str | None) -> str | None:
    return decode_key(cursor, is_text(NAME.match))


@router.post(
    "/calendars/{name}/due",
    response_model=DuePublic,
    tags=["calendars"],
    summary="Preview a due time on a calendar",
    description='For UIs that show "due by": when `minutes` business minutes from `start` '
    "have run on the calendar, the `pauses` not counted. Changes nothing.",
    responses=problem_responses(
        *BODY_PROBLEMS,
        404,
        422,
        described={
            404: "No such calendar",
            422: "Negative minutes or more than a year's, a start without a UTC offset or "
            "outside 1970-2199, a pause ending before it starts, or a due more than ten years "
            "away on this calendar (`field` names it)",
        },
    ),
)
async def preview_due(
    name: Name, body: DueRequest, runtime: RuntimeDep, principal: SlaReader
) -> Any:
    command = PreviewDue(
        name=name,
        start=body.start,
        minutes=body.minutes,
        pauses=[(begin, end) for begin, end in body.pauses],
    )
    async with runtime.uow() as uow:
        return await handlers.preview_due(command, uow)
