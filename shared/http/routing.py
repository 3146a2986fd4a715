"""The /v1 router every service's API hangs from: our conventions, declared once.

Each route documents the problems every authenticated route can answer, and
refuses query parameters it does not know, as bodies refuse unknown fields: a
typo (`?limt=5`, `?staus=new`) must fail loudly, not quietly return everything.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from shared.http.problems import API_PROBLEMS, problem_responses


def _query_names(route: APIRoute) -> frozenset[str]:
    # Routes live as long as the app: walk each one's dependencies once, keep the answer on it.
    known = getattr(route, "_fieldops_query_names", None)
    if known is not None:
        return known
    names: set[str] = set()
    pending = [route.dependant]
    while pending:
        current = pending.pop()
        names.update(param.alias for param in current.query_params)
        pending.extend(current.dependencies)
    route._fieldops_query_names = frozenset(names)  # type: ignore[attr-defined]
    return route._fieldops_query_names  # type: ignore[attr-defined]


async def refuse_unknown_query(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    unknown = sorted(set(request.query_params) - _query_names(route))
    if unknown:
        raise RequestValidationError(
            [
                {
                    "type": "extra_forbidden",
                    "loc": ("query", name),
                    "msg": "Unknown query parameter",
                    "input": request.query_params.get(name),
                }
                for name in unknown
            ]
        )


def api_router() -> APIRouter:
    return APIRouter(
        prefix="/v1",
        responses=problem_responses(*API_PROBLEMS),
        dependencies=[Depends(refuse_unknown_query)],
    )
