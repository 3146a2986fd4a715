"""Optional filters for a store's list queries, with placeholders numbered in one place.

A store keeps its statements as module constants; a list with optional filters is the
one place SQL is composed, and hand-numbered `$n` in f-strings is where off-by-one
bugs and injection slip in. `Filters` only ever appends `$n` placeholders: values
never enter the SQL text, and the set of distinct statements stays small enough for
asyncpg's prepared-statement cache.
"""

from __future__ import annotations

from typing import Any


class Filters:
    def __init__(self, *args: Any) -> None:
        self.args: list[Any] = list(args)  # values of placeholders the base statement already uses
        self._clauses: list[str] = []

    def param(self, value: Any) -> str:
        """A placeholder bound to `value`, for use anywhere in the statement (LIMIT, ORDER BY ...)."""
        self.args.append(value)
        return f"${len(self.args)}"

    def add(self, clause: str, *values: Any) -> Filters:
        """A clause whose `{}` marks are replaced by placeholders bound to `values`, in order."""
        self._clauses.append(clause.format(*(self.param(v) for v in values)))
        return self

    def add_if(self, value: Any, clause: str) -> Filters:
        """The clause when the filter was given (not None), with one `{}` for its value."""
        return self if value is None else self.add(clause, value)

    def where(self, prefix: str = "WHERE") -> str:
        return f"{prefix} {' AND '.join(self._clauses)}" if self._clauses else ""
