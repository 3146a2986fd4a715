"""The /v1 router every service's API hangs from: our conventions, declared once.

Each route documents the problems every authenticated route can answer, and
refuses query parameters it does not know, as bodies refuse unknown fields: a
typo (`?limt=5`, `?staus=new`) must fail loudly, not quietly return everything.
A scalar parameter given twice (`?limit=500&limit=1`) is refused the same way:
FastAPI would silently take the last, and a proxy or cache that read the first
would disagree with us about what was asked.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi._compat import field_annotation_is_sequence
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from shared.http.problems import API_PROBLEMS, problem_responses


def _query_names(route: APIRoute) -> tuple[frozenset[str], frozenset[str]]:
    """The route's query parameters: all of them, and those that take one value."""
    # Routes live as long as the app: walk each one's dependencies once, keep the answer on it.
    known = getattr(route, "_fieldops_query_names", None)
    if known is not None:
        return known
    names: set[str] = set()
    scalars: set[str] = set()
    pending = [route.dependant]
    while pending:
        current = pending.pop()
        for param in current.query_params:
            names.add(param.alias)
            # FastAPI's own test for reading a parameter with getlist() rather than get().
            if not field_annotation_is_sequence(param.field_info.annotation):
                scalars.add(param.alias)
        pending.extend(current.dependencies)
    route._fieldops_query_names = (frozenset(names), frozenset(scalars))  # type: ignore[attr-defined]
    return route._fieldops_query_names  # type: ignore[attr-defined]


async def refuse_unknown_query(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    names, scalars = _query_names(route)
    given = request.query_params
    errors: list[dict[str, Any]] = [
        {
            "type": "extra_forbidden",
            "loc": ("query", name),
            "msg": "Unknown query parameter",
            "input": given.get(name),
        }
        for name in sorted(set(given) - names)
    ]
    errors += [
        {
            "type": "repeated",
            "loc": ("query", name),
            "msg": "Given more than once; this parameter takes one value",
            "input": given.getlist(name),
        }
        for name in sorted(scalars & set(given))
        if len(given.getlist(name)) > 1
    ]
    if errors:
        raise RequestValidationError(errors)


def api_router() -> APIRouter:
    return APIRouter(
        prefix="/v1",
        responses=problem_responses(*API_PROBLEMS),
        dependencies=[Depends(refuse_unknown_query)],
    )
