"""Moving a running service's business clock, for process-level tests only.

A test that needs a deadline to pass (an SLA breach, a reopen window closing) advances
the service's clock over HTTP instead of sleeping. The routes exist only when the
settings allow clock control, which the settings refuse in production: there they are
not hidden, they are absent (404).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Request, Security
from pydantic import BaseModel, BeforeValidator, Field

from shared.auth import Principal, authenticate
from shared.http.bodies import json_number
from shared.http.problems import BODY_PROBLEMS, Problem, problem_responses
from shared.http.routing import api_router

Admin = Annotated[Principal, Security(authenticate, scopes=["admin"])]


class ClockAdvance(BaseModel):
    # At most a year a step: enough for any warranty or reopen window, small enough to be a test.
    # A JSON number, not `true`: pydantic's lax float takes a boolean as 1.0.
    advance_s: Annotated[
        float,
        Field(gt=0, le=366 * 86_400, description="Seconds to move business time on"),
        BeforeValidator(json_number),
    ]


class ClockReading(BaseModel):
    now: datetime = Field(description="The service's business time (UTC)")


def clock_router() -> APIRouter:
    router = api_router()

    @router.get(
        "/ops/clock",
        response_model=ClockReading,
        tags=["operations"],
        summary="The business time this service decides by (test deployments only)",
    )
    async def read_clock(request: Request, principal: Admin) -> ClockReading:
        return ClockReading(now=request.app.state.runtime.clock.now())

    @router.post(
        "/ops/clock",
        response_model=ClockReading,
        tags=["operations"],
        summary="Move business time forward (test deployments only)",
        responses=problem_responses(*BODY_PROBLEMS, 409),
    )
    async def advance_clock(body: ClockAdvance, request: Request, principal: Admin) -> ClockReading:
        clock = request.app.state.runtime.clock
        if not hasattr(clock, "advance"):
            raise Problem(409, "clock-fixed", "this service's clock cannot be moved")
        return ClockReading(now=clock.advance(timedelta(seconds=body.advance_s)))

    return router
