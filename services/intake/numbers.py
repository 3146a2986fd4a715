"""An integer as JSON Schema means it: 3 and 3.0, but not true, "3" or 3.5."""

from __future__ import annotations

from typing import Any


def json_integer(value: Any) -> Any:
    # shared.http.bodies.JsonInteger does the same, but as a nested Annotated its field's
    # ge/le vanish from the OpenAPI document; this one goes beside the Field instead.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a JSON number")  # noqa: TRY004 - pydantic reports only ValueError per field
    return value
