"""POSTs that create: a `CommandEndpoint` answering 201, kept under its older name.

`CreateEndpoint(name, create_many, render, location)` is `CommandEndpoint` with
`handle_many=create_many` and `status_code=201`; the route passes its pydantic body
as the command. New routes may use `CommandEndpoint` directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from shared.commands import Created, HandleMany, one_at_a_time
from shared.http.commands import Answer, CommandEndpoint

if TYPE_CHECKING:
    from shared.service import Runtime

Command = TypeVar("Command", bound=BaseModel)

__all__ = ["Answer", "CreateEndpoint", "Created", "one_at_a_time"]


class CreateEndpoint(CommandEndpoint[Command]):
    def __init__(
        self,
        name: str,
        create_many: HandleMany,
        render: Callable[[Any], BaseModel],
        location: Callable[[Any], str] | None = None,
        *,
        max_batch: int = 64,
        status_of: Callable[[Any], int] | None = None,
    ) -> None:
        super().__init__(
            name,
            handle_many=create_many,
            render=render,
            status_code=201,
            location=location,
            max_batch=max_batch,
            status_of=status_of,
        )

    async def __call__(  # type: ignore[override]
        self,
        runtime: Runtime,
        request: Request,
        *,
        principal: str,
        key: str | None,
        body: Command,
    ) -> JSONResponse:
        return await super().__call__(
            runtime, request, principal=principal, key=key, command=body, body=body
        )
