"""The base of every request body: unknown fields refused, text trimmed, text PostgreSQL can store.

Text is trimmed *after* validation, so the lengths and patterns the OpenAPI
document shows hold for what the client sent; a field that must say something
carries NOT_BLANK, so whitespace alone is refused by the documented pattern
rather than by a length check the document could not show.

PostgreSQL `text` cannot hold NUL (JSON can spell it `\\u0000`): it reached the
database as a driver error and a 500. It is refused here, as a 422 naming the
field, like any other invalid value. (Lone surrogates pydantic refuses already.)
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator

# At least one character str.strip() keeps: exactly Python's whitespace, spelled out,
# because JSON Schema's \s (ECMA-262) and Python's disagree at the edges.
NOT_BLANK = "[^\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


def json_number(value: Any) -> Any:
    """A BeforeValidator for integers as JSON Schema means them: 3 and 3.0, but not true, "3"
    or 3.5. Pydantic's lax int takes true and "3"; its strict int refuses 3.0, which the
    document allows. Put it beside a field's `Field(ge=, le=)` where the bounds must show in
    the document: nested inside another Annotated, as in `JsonInteger`, they vanish from it."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a JSON number")
    return value


JsonInteger = Annotated[int, BeforeValidator(json_number)]


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
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        _check(value)
        return value.strip() if type(value) is str else value  # a StrEnum member stays one
