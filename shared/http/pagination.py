"""Opaque cursors for keyset pagination: stable under inserts, cheap at any depth."""

from __future__ import annotations

import base64
import json
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from shared.http.problems import Problem

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


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


def page_of(items: list[T], limit: int, key: Any) -> Page[T]:
    """`items` was fetched with limit + 1 rows: the extra one says whether more exist."""
    if len(items) > limit:
        items = items[:limit]
        return Page(items=items, next_cursor=encode_cursor(*key(items[-1])))
    return Page(items=items)
