"""Opaque cursors for keyset pagination: stable under inserts, cheap at any depth."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

from fastapi import Query
from pydantic import BaseModel

from shared.http.problems import Problem

T = TypeVar("T")
K = TypeVar("K")
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


def cursor_invalid() -> Problem:
    return Problem(422, "cursor-invalid", "the cursor is not one this API gave out")


def decode_cursor(cursor: str | None, arity: int) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError as exc:
        raise cursor_invalid() from exc
    if not isinstance(values, list) or len(values) != arity:
        raise cursor_invalid()
    return values


def decode_key(cursor: str | None, could_be: Callable[[Any], bool]) -> Any:
    """The one key a keyset page ends at (a name, a part number), None before the first page.
    A value no page could have ended at (`could_be` says) is refused here: a NUL byte or a
    lone surrogate would otherwise reach SQL as a driver error."""
    values = decode_cursor(cursor, 1)
    if values is None:
        return None
    if not could_be(values[0]):
        raise cursor_invalid()
    return values[0]


def is_text(matches: Callable[[str], object]) -> Callable[[Any], bool]:
    """A key that is a string `matches` accepts (a pattern's `fullmatch`, a length check)."""
    return lambda value: isinstance(value, str) and bool(matches(value))


def decode_sequence(cursor: str | None) -> int:
    """The sequence number (a bigint, as the tables keep it) a page ends at; 0 before the first."""
    seq = decode_key(
        cursor,
        lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 2**63 - 1,
    )
    return 0 if seq is None else int(seq)


def decode_position_of(cursor: str | None, tie: Callable[[Any], K]) -> tuple[datetime, K] | None:
    """The (timestamp, tie-breaker) position a list is ordered by, checked before it reaches SQL;
    `tie` reads the tie-breaker and raises TypeError or ValueError for one no page gave out."""
    values = decode_cursor(cursor, 2)
    if values is None:
        return None
    try:
        at = datetime.fromisoformat(values[0])
        if at.tzinfo is None:
            raise ValueError("a position is in UTC")
        return at.astimezone(UTC), tie(values[1])
    except (TypeError, ValueError, OverflowError):
        raise cursor_invalid() from None


def decode_position(cursor: str | None) -> tuple[datetime, UUID] | None:
    """The (timestamp, id) position most of our lists are ordered by."""
    return decode_position_of(cursor, UUID)


def page_of(items: list[T], limit: int, key: Any) -> Page[T]:
    """`items` was fetched with limit + 1 rows: the extra one says whether more exist."""
    if len(items) > limit:
        items = items[:limit]
        return Page(items=items, next_cursor=encode_cursor(*key(items[-1])))
    return Page(items=items)
