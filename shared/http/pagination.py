"""Opaque cursors for keyset pagination: stable under inserts, cheap at any depth."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

from fastapi import Query
from pydantic import BaseModel

from shared.http.problems import Problem

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200

Cursor = Annotated[
    str | None,
    Query(
        max_length=512,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The next_cursor of the page before; absent for the first page",
    ),
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="At most this many items")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, arity: int) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError as exc:
        raise Problem(422, "cursor-invalid", "the cursor is not one this API gave out") from exc
    if not isinstance(values, list) or len(values) != arity:
        raise Problem(422, "cursor-invalid", "the cursor is not one this API gave out")
    return values


def decode_position(cursor: str | None) -> tuple[datetime, UUID] | None:
    """The (timestamp, id) position our lists are ordered by, checked before it reaches SQL."""
    values = decode_cursor(cursor, 2)
    if values is None:
        return None
    try:
        at = datetime.fromisoformat(values[0])
        if at.tzinfo is None:
            raise ValueError("a position is in UTC")
        return at.astimezone(UTC), UUID(values[1])
    except (TypeError, ValueError, OverflowError):
        raise Problem(422, "cursor-invalid", "the cursor is not one this API gave out") from None


def page_of(items: list[T], limit: int, key: Any) -> Page[T]:
    """`items` was fetched with limit + 1 rows: the extra one says whether more exist."""
    if len(items) > limit:
        items = items[:limit]
        return Page(items=items, next_cursor=encode_cursor(*key(items[-1])))
    return Page(items=items)
