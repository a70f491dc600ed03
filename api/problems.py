"""Errors as RFC 9457 problem details (``application/problem+json``), for every error.

Every exception that reaches the app is mapped here: the library's own errors by class,
HTTP errors (404, 405 ...), request validation (422), and anything else (a generic 500,
logged with its stack trace on the server, never sent to the client).
"""

from __future__ import annotations

import logging
import re
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qmsgraph.errors import (
    ConflictError,
    NotFoundError,
    QMSGraphError,
    SPCInputError,
    StoreBusyError,
    StoreError,
    ValidationError,
)

log = logging.getLogger("qmsgraph.api")

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://w3id.org/qmsgraph/problems/"

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    428: "Precondition required",
    500: "Internal server error",
    503: "Service unavailable",
}
SLUGS = {
    400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
    405: "method-not-allowed", 406: "not-acceptable", 409: "conflict",
    412: "precondition-failed", 413: "content-too-large", 415: "unsupported-media-type",
    422: "validation-error", 428: "precondition-required", 500: "internal-error",
    503: "store-unavailable",
}


class ProblemItem(BaseModel):
    """One problem among several: which field, file, line or row, and what is wrong."""

    field: str | None = Field(None, description="The offending field, e.g. 'body.label'.")
    location: str | None = Field(None, description="File and line or row, e.g. "
                                 "'model.yaml:12' or 'projects.csv row 7'.")
    message: str


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "type": TYPE_BASE + "validation-error", "title": "Unprocessable content",
        "status": 422, "detail": "invalid Measure 'M1': measure_type: Field required",
        "field": "measure_type",
        "errors": [{"field": "measure_type", "location": None,
                    "message": "invalid Measure 'M1': measure_type: Field required"}]}]})

    type: str = Field("about:blank", description="A URI naming the kind of problem.")
    title: str = Field(description="Short summary of the kind of problem.")
    status: int = Field(ge=400, le=599, description="The HTTP status code.")
    detail: str | None = Field(None, description="What went wrong, in plain words.")
    instance: str | None = Field(None, description="The request path.")
    field: str | None = Field(None, description="The (first) offending field, if known.")
    errors: list[ProblemItem] = Field(default_factory=list, description=(
        "Every problem found (all of them for a bad import: file, line or row, message)."))


class ProblemException(Exception):
    """Raised by routes and dependencies for an HTTP error with a problem body."""

    def __init__(self, status: int, detail: str, *, field: str | None = None,
                 errors: list[ProblemItem] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field
        self.errors = errors or []
        self.headers = headers or {}


def problem_response(status: int, detail: str | None = None, *, instance: str | None = None,
                     field: str | None = None, errors: list[ProblemItem] | None = None,
                     headers: dict[str, str] | None = None) -> JSONResponse:
    body = Problem(type=TYPE_BASE + SLUGS[status] if status in SLUGS else "about:blank",
                   title=TITLES.get(status, "Error"), status=status, detail=detail,
                   instance=instance, field=field, errors=errors or [])
    return JSONResponse(body.model_dump(mode="json"), status_code=status,
                        media_type=PROBLEM_JSON, headers=headers)


def library_status(err: QMSGraphError) -> int:
    if isinstance(err, NotFoundError):
        return 404
    if isinstance(err, ConflictError):
        return 409
    if isinstance(err, ValidationError | SPCInputError):
        return 422
    if isinstance(err, StoreError):
        return 503
    return 400


_LOCATION = re.compile(r"^[^\s:]+\.(?:ya?ml|csv|tsv|txt|xlsx|xlsm|ttl|jsonld|json|nt|rdf|xml)"
                       r"(?::\d+|(?: sheet '[^']*')? row \d+(?: column .+)?| node \S+"
                       r"| edge .+| element .+| relationship .+)?$")


def _split_location(text: str) -> tuple[str | None, str]:
    """'file.yaml:12: message' -> ('file.yaml:12', 'message'), if it names a file."""
    head, sep, rest = text.partition(": ")
    if sep and _LOCATION.match(head):
        return head, rest
    return None, text


def library_problem(err: QMSGraphError, instance: str | None = None) -> JSONResponse:
    status = library_status(err)
    field = getattr(err, "field", None)
    errors: list[ProblemItem] = []
    if isinstance(err, ValidationError):
        for p in err.problems:
            loc, msg = _split_location(p)
            errors.append(ProblemItem(field=field if len(err.problems) == 1 else None,
                                      location=err.location or loc, message=msg))
    headers = None
    if isinstance(err, StoreBusyError):  # the message names the store's path: not sent
        detail = (f"the store is busy: another writer holds its write lock; nothing was "
                  f"written, try again in {err.retry_after} s")
        headers = {"Retry-After": str(err.retry_after)}
        log.warning("store busy: %s", err)
    elif status == 503:
        detail = "the store cannot be read or written just now"
        log.error("store error: %s", err)
    else:
        detail = str(err)
    return problem_response(status, detail, instance=instance, field=field, errors=errors,
                            headers=headers)


def allowed_methods(routes: Any, path: str) -> list[str]:
    """Every method some route offers for ``path`` (a path can have one route per method;
    an included router is walked into)."""
    found: set[str] = set()
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            found.update(allowed_methods(inner.routes, path))
            continue
        regex = getattr(route, "path_regex", None)
        methods = getattr(route, "methods", None)
        if regex is not None and methods and regex.match(path):
            found.update(methods)
    return sorted(found)


def _loc(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(x) for x in loc)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""

    @app.exception_handler(ProblemException)
    async def _problem(request: Request, exc: ProblemException) -> JSONResponse:
        return problem_response(exc.status, exc.detail, instance=request.url.path,
                                field=exc.field, errors=exc.errors, headers=exc.headers)

    @app.exception_handler(QMSGraphError)
    async def _library(request: Request, exc: QMSGraphError) -> JSONResponse:
        return library_problem(exc, request.url.path)

    @app.exception_handler(sqlite3.OperationalError)
    async def _sqlite(request: Request, exc: sqlite3.OperationalError) -> JSONResponse:
        """SQLite's lock errors, wherever they come from, are 503 with Retry-After."""
        if getattr(exc, "sqlite_errorcode", None) in (5, 6) or "locked" in str(exc):
            return library_problem(StoreBusyError(str(exc)), request.url.path)
        log.error("store error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem_response(500, "an unexpected error occurred; it has been logged on "
                                "the server", instance=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            allowed = allowed_methods(request.app.routes, request.url.path)
            headers["Allow"] = ", ".join(allowed)
            detail = f"{request.method} is not allowed here; use {' or '.join(allowed)}"
        return problem_response(exc.status_code, detail, instance=request.url.path,
                                headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _request(request: Request, exc: RequestValidationError) -> JSONResponse:
        if getattr(request.state, "principal", None) is None and any(
                e.get("loc", ("",))[0] == "body" for e in exc.errors()):
            # A body is read (and a malformed one refused) before the route's key check
            # runs: check the key first, so that nobody learns anything without one.
            from .auth import check_key

            refused = check_key(request)
            if refused is not None:
                return problem_response(refused.status, refused.detail,
                                        instance=request.url.path, headers=refused.headers)
        errors = [ProblemItem(field=_loc(e.get("loc", ())), message=str(e.get("msg", "")))
                  for e in exc.errors()]
        first = errors[0].field if errors else None
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors[:5]) or "invalid request"
        if len(errors) > 5:
            detail += " ..."
        return problem_response(422, detail, instance=request.url.path, field=first,
                                errors=errors)


async def _send_problem(send: Send, status: int, detail: str, path: str | None) -> None:
    resp = problem_response(status, detail, instance=path)
    await send({"type": "http.response.start", "status": status,
                "headers": resp.raw_headers})
    await send({"type": "http.response.body", "body": resp.body})


class CatchAll:
    """Innermost middleware: an unexpected exception becomes a generic 500 problem.

    The stack trace is logged on the server; the client sees no detail of it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await _send_problem(send, 500, "an unexpected error occurred; it has been "
                                    "logged on the server", scope.get("path"))


class BodyLimit:
    """Refuse request bodies over ``max_body`` bytes with 413, before the app reads them.

    A declared Content-Length over the limit is refused at once; a body without one
    (chunked) is read up to the limit and then handed on, so the app never sees more.
    """

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        too_large = (f"the request body is larger than the limit of {self.max_body} bytes "
                     "(QMSGRAPH_MAX_BODY)")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await _send_problem(send, 400, "malformed Content-Length", scope.get("path"))
                return
            if size > self.max_body:
                await _send_problem(send, 413, too_large, scope.get("path"))
                return
            await self.app(scope, receive, send)
            return
        if scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE") and \
                b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)
            return
        # No length given: buffer up to the limit, then replay.
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            total += len(body)
            if total > self.max_body:
                await _send_problem(send, 413, too_large, scope.get("path"))
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)




def known_query_only(request: Request) -> None:
    """An app-wide dependency: a query parameter the route does not take is a 400 naming
    it (a mistyped filter must not silently return everything)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or not request.query_params:
        return
    allowed = getattr(route, "qmsgraph_query_names", None)
    if allowed is None:
        names, todo = set(), [dependant]
        while todo:  # the route's query parameters and those of its dependencies
            d = todo.pop()
            names.update(p.alias for p in d.query_params)
            todo.extend(d.dependencies)
        allowed = frozenset(names)
        route.qmsgraph_query_names = allowed  # type: ignore[union-attr]
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ProblemException(
            400, f"unknown query parameter(s): {', '.join(unknown)}; this route takes "
            + (", ".join(sorted(allowed)) or "none"), field=unknown[0],
            errors=[ProblemItem(field=u, message="unknown query parameter") for u in unknown])
