"""RFC 9457 problem details for every error a service can answer.

Each failure has a stable `type` URI (clients branch on it), a human `title`,
and a `detail` for this occurrence; validation problems add the field `errors`.

The OpenAPI document says so too: routers and routes declare the problems they
can answer with `problem_responses(...)`, each as `ProblemDetails` under
`application/problem+json`, and FastAPI's own `HTTPValidationError` never
appears, because our 422 is not that shape.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

from shared.db import DatabaseUnavailable, is_transient
from shared.errors import Conflict, DomainError, Forbidden, Gone, InvalidReference, NotFound

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "urn:fieldops:problem:"


class FieldError(BaseModel):
    location: str = Field(description="body, path, query or header")
    field: str | None = Field(description="Dotted path of the field inside its location")
    message: str
    code: str = Field(
        description="Machine-readable reason, e.g. missing, extra_forbidden, string_too_long"
    )


class ProblemDetails(BaseModel):
    """An RFC 9457 problem document; extensions such as `errors` may follow the standard members."""

    model_config = ConfigDict(extra="allow", title="ProblemDetails")
    type: str = Field(description="A stable URI naming the kind of problem; clients branch on it")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = Field(
        default=None, description="What was wrong with which field (422)"
    )


_DESCRIPTIONS = {
    400: "The request is malformed (e.g. a Content-Length that is not a number)",
    401: "No Bearer token, or one that is forged, expired or for another audience",
    403: "The token lacks a scope this needs",
    404: "No such thing (or not one this caller may see)",
    409: "The thing's state does not allow this now, or it exists already",
    413: "The body is over the size limit (1 MiB)",
    415: "The body is not application/json",
    422: "A path, query, header or body field is missing or invalid; `errors` names each field",
    503: "A dependency is unreachable; nothing was committed. Retry (with the same Idempotency-Key)",
}


def problem_responses(
    *statuses: int, described: dict[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a router or route: each status answered with a problem document."""
    described = described or {}
    return {
        status: {
            "description": described.get(status)
            or _DESCRIPTIONS.get(status)
            or HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}},
        }
        for status in statuses
    }


# What every authenticated /v1 route can answer, whatever it does.
API_PROBLEMS = (401, 403, 422, 503)
# What the edge answers to any request with a body, before routing.
BODY_PROBLEMS = (400, 413, 415)


def _document_problems(app: FastAPI) -> None:
    # `problem_responses` refers to ProblemDetails by name; FastAPI only registers
    # models it sees as `model=`, which would file them under application/json.
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            schema = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(schema.pop("$defs", {}))
            schemas["ProblemDetails"] = schema
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


# RFC 9110's names where Python's HTTPStatus still has RFC 7231's.
_TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}


def status_title(status: int) -> str:
    return _TITLES.get(status) or HTTPStatus(status).phrase


class Problem(Exception):
    """Raise from any endpoint to answer with a problem document."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str | None = None,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or slug)
        self.status = status
        self.slug = slug
        self.title = title or status_title(status)
        self.detail = detail
        self.headers = headers
        self.extensions = extensions


def problem_document(
    status: int,
    slug: str,
    title: str,
    detail: str | None = None,
    *,
    instance: str | None = None,
    **extensions: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": PROBLEM_BASE + slug, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extensions)
    return body


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str | None = None,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = problem_document(status, slug, title, detail, instance=instance, **extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def refusal_document(refusal: DomainError | Problem, *, instance: str) -> dict[str, Any]:
    """A refusal as the problem document its own request would have been answered with: for
    answers that carry several outcomes (an offline batch), each refused item its own."""
    if isinstance(refusal, Problem):
        return problem_document(
            refusal.status,
            refusal.slug,
            refusal.title,
            refusal.detail,
            instance=instance,
            **refusal.extensions,
        )
    status, slug = domain_status(refusal)
    return problem_document(
        status,
        slug,
        refusal.title,
        refusal.detail,
        instance=instance,
        **{k: _extension(v) for k, v in refusal.context.items()},
    )


class BodyTooLarge(StarletteHTTPException):
    # An HTTPException because FastAPI reads the body inside a `except Exception`
    # that turns anything else into "400 There was an error parsing the body";
    # HTTPExceptions it re-raises, and the handler below answers `too_large`.
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the body exceeds {limit} bytes")
        self.limit = limit


def too_large(limit: int, instance: str) -> JSONResponse:
    """Every 413, whether the edge saw it in Content-Length or counted it arriving.

    `Connection: close`: whatever of the body is still unread is not a request to parse.
    """
    return problem_response(
        413,
        "payload-too-large",
        status_title(413),
        BodyTooLarge(limit).detail,
        instance=instance,
        headers={"Connection": "close"},
    )


_HTTP_SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation",
    429: "too-many-requests",
    503: "unavailable",
}

_DOMAIN_STATUS: list[tuple[type[DomainError], int, str]] = [
    (NotFound, 404, "not-found"),
    (Conflict, 409, "conflict"),
    (Gone, 410, "gone"),
    (Forbidden, 403, "forbidden"),
    (InvalidReference, 422, "invalid-reference"),
    (DomainError, 422, "rule-violated"),
]


def domain_status(exc: DomainError) -> tuple[int, str]:
    """The HTTP status and problem slug of a rule's refusal."""
    for cls, status, slug in _DOMAIN_STATUS:
        if isinstance(exc, cls):
            return status, exc.slug or slug
    raise TypeError(
        f"{type(exc).__name__} is no DomainError"
    )  # unreachable: DomainError is the last row


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        if err.get("type") == "json_invalid":
            # FastAPI puts the character offset where a field would be.
            at = f" at character {loc[1]}" if len(loc) > 1 else ""
            reason = (err.get("ctx") or {}).get("error", "invalid JSON")
            errors.append(
                {
                    "location": "body",
                    "field": None,
                    "message": f"{reason}{at}",
                    "code": "json_invalid",
                }
            )
            continue
        errors.append(
            {
                "location": loc[0] if loc else "body",
                "field": ".".join(loc[1:]) if len(loc) > 1 else None,
                "message": err.get("msg", "invalid"),
                "code": err.get("type", "invalid"),
            }
        )
    return errors


def install_problem_handlers(app: FastAPI) -> None:
    _document_problems(app)

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.slug,
            exc.title,
            exc.detail,
            instance=request.url.path,
            headers=exc.headers,
            **exc.extensions,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _invalid(request, _field_errors(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
            # JSON is UTF-8 (RFC 8259): other bytes are malformed JSON, a 422 like any
            # other, not the bare 400 FastAPI gives for a body json.loads cannot decode.
            return _invalid(
                request,
                [
                    {
                        "location": "body",
                        "field": None,
                        "code": "json_invalid",
                        "message": "the body is not UTF-8 encoded JSON",
                    }
                ],
            )
        if isinstance(exc, BodyTooLarge):
            return too_large(exc.limit, request.url.path)
        if exc.status_code == 405:
            return _method_not_allowed(request)
        slug = _HTTP_SLUGS.get(exc.status_code, "error")
        detail = (
            exc.detail
            if isinstance(exc.detail, str) and exc.detail != HTTPStatus(exc.status_code).phrase
            else None
        )
        return problem_response(
            exc.status_code,
            slug,
            status_title(exc.status_code),
            detail,
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        body = refusal_document(exc, instance=request.url.path)
        return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON)

    @app.exception_handler(DatabaseUnavailable)
    async def _db_down(request: Request, exc: DatabaseUnavailable) -> JSONResponse:
        return unavailable(request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A dropped database connection mid-statement surfaces as a driver error:
        # nothing was committed, so it is a 503 the client may retry, not a 500.
        if is_transient(exc):
            return unavailable(request)
        log.error("unhandled error", exc_info=exc)
        return problem_response(
            500,
            "internal",
            "Internal Server Error",
            "The error was logged; nothing was committed.",
            instance=request.url.path,
        )


def _extension(value: Any) -> Any:
    """A rule's context as JSON a client can branch on: lists stay lists (the moves allowed
    from here), numbers and booleans stay themselves, anything else (ids, enums, times) is text."""
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, list | tuple | set | frozenset):
        items = [_extension(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(app: Starlette, scope: Scope) -> list[str]:
    """The methods some route answers on this path.

    The router stops at the first route whose path matches, so the 405 it raises
    names only that route's methods (`Allow: POST` on a path that has GET too):
    ask every route, through `matches`, the one routing API that is public.
    """
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**scope, "method": method})[0] is Match.FULL
            for route in app.router.routes
        )
    ]


def _method_not_allowed(request: Request) -> JSONResponse:
    allowed = ", ".join(allowed_methods(request.app, request.scope))
    return problem_response(
        405,
        "method-not-allowed",
        status_title(405),
        f"{request.method} is not allowed on this path; allowed: {allowed}",
        instance=request.url.path,
        headers={"Allow": allowed},
    )


def _invalid(request: Request, errors: list[dict[str, Any]]) -> JSONResponse:
    return problem_response(
        422,
        "validation",
        "Request is not valid",
        "One or more fields are missing or invalid.",
        instance=request.url.path,
        errors=errors,
    )


def unavailable(request: Request) -> JSONResponse:
    return problem_response(
        503,
        "unavailable",
        "Service Unavailable",
        "A dependency is unreachable; nothing was committed. Retry with the same Idempotency-Key.",
        instance=request.url.path,
        headers={"Retry-After": "1"},
    )
