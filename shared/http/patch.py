"""The base of PATCH bodies: a field left out stays as it is, and null only clears what may be empty.

A field that may not be empty is declared `T | SkipJsonSchema[None] = None`: the document
shows it as plain `T`, and an explicit null is refused naming the field, rather than
reaching the database as a NOT NULL violation.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ValidationInfo, field_validator

from shared.http.bodies import StrictBody


class PatchBody(StrictBody):
    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_allowed(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("may be left out, but not null")
        return value

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}
