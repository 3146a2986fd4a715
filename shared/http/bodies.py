"""The base of every request body: unknown fields refused, text PostgreSQL can store.

PostgreSQL `text` cannot hold NUL (JSON can spell it `\\u0000`): it reached the
database as a driver error and a 500. It is refused here, as a 422 naming the
field, like any other invalid value. (Lone surrogates pydantic refuses already.)
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


def storable_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _check(value: Any) -> Any:
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key)
            _check(item)
    return value


class StrictBody(BaseModel):
    # Unknown fields are refused, not silently dropped: a typo in an integration
    # ("sumary") must fail loudly on the first call, not lose the text forever.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return _check(value)
