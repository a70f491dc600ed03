"""HTTP routes for the maps: ``GET /map`` and ``GET /board`` (HTML pages).

The API app includes ``map_router(get_store, require_viewer)``; both dependencies come from
the app (the store for the request, and the viewer-role check). Bad requests are answered
with ``application/problem+json``: 404 for an unknown node, 422 for an unknown view, a missing
or wrong focus/unit, or a bad depth.

Links inside served pages are relative (``map?view=thread&focus=ID``), so the pages work
wherever the router is mounted.

(No ``from __future__ import annotations`` here: FastAPI must see the dependency annotations,
which name this factory's arguments, as objects.)
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from qmsgraph.alignment import AlignmentConfig, history
from qmsgraph.alignment.views import VIEWS
from qmsgraph.errors import NotFoundError, ValidationError
from qmsgraph.stores import Store

from .board import render_board
from .board_progress import view_progress
from .maps import render_map
from .page import CSP

PROBLEM = "application/problem+json"
# the same problem types as the API app (api/problems.py)
TYPE_BASE = "https://w3id.org/qmsgraph/problems/"
SLUGS = {404: "not-found", 422: "validation-error"}
_PROBLEM_SCHEMA = {"content": {PROBLEM: {"schema": {"type": "object", "properties": {
    "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
    "detail": {"type": "string"}}}}}}


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": TYPE_BASE + SLUGS[status] if status in SLUGS else "about:blank",
            "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _html(text: str) -> HTMLResponse:
    return HTMLResponse(text, headers={"Content-Security-Policy": CSP,
                                       "X-Content-Type-Options": "nosniff",
                                       "Referrer-Policy": "no-referrer"})


def _parse_depth(depth: str | None) -> int | None:
    if depth is None or depth == "":
        return None
    try:
        value = int(depth)
    except ValueError:
        raise ValidationError(f"depth must be a whole number, not {depth!r}",
                              field="depth") from None
    if not 0 <= value <= 100:
        raise ValidationError("depth must be between 0 and 100", field="depth")
    return value


def map_router(get_store: Callable[..., Any], require_viewer: Callable[..., Any], *,
               config: AlignmentConfig | None = None,
               account: Callable[[Request], dict[str, Any] | None] | None = None) -> APIRouter:
    """``GET /map`` and ``GET /board``, each behind ``require_viewer``. ``config``: the
    alignment thresholds for the findings shown (default: the library's defaults);
    ``account(request)``: who is signed in (name, sign-out token), shown in the header."""

    def who(request: Request) -> dict[str, Any] | None:
        return account(request) if account is not None else None

    router = APIRouter(tags=["maps"], dependencies=[Depends(require_viewer)])

    @router.get("/map", response_class=HTMLResponse, summary="Interactive system map",
                responses={200: {"content": {"text/html": {}}},
                           404: {"description": "Unknown node", **_PROBLEM_SCHEMA},
                           422: {"description": "Bad view or parameter", **_PROBLEM_SCHEMA}})
    def get_map(
        request: Request,
        store: Annotated[Store, Depends(get_store)],
        view: Annotated[str, Query(description="One of: " + ", ".join(VIEWS))] = "system",
        unit: Annotated[str | None, Query(description="Unit id (unit view; optional for "
                                          "findings).")] = None,
        focus: Annotated[str | None, Query(description="Node id (thread view; goal or "
                                           "objective for the goal view).")] = None,
        depth: Annotated[str | None, Query(description="Whole number >= 0: layers (system), "
                                           "levels of units below (unit), steps (thread, "
                                           "goal).")] = None,
    ) -> Any:
        """A self-contained HTML map (see docs/maps.md)."""
        if view not in VIEWS:
            return problem(422, "Unknown view", f"unknown view {view!r}; views: "
                           f"{', '.join(VIEWS)}", field="view")
        try:
            d = _parse_depth(depth)
            with store.snapshot():  # the graph, SPC and findings of one revision
                graph = store.view()
                for name, nid in (("unit", unit), ("focus", focus)):
                    if nid and nid not in graph:
                        return problem(404, "Not found", f"no node with id {nid!r}",
                                       field=name)
                spc = store.spc_summaries()
                report = store.audit(config)
                content = store.map_view(view, focus=focus, unit=unit, depth=d)
                text = render_map(graph, view, report=report, spc=spc, links="served",
                                  content=content, account=who(request),
                                  progress=view_progress(store, content.nodes))
        except NotFoundError as err:
            return problem(404, "Not found", str(err))
        except ValidationError as err:
            return problem(422, "Invalid request", str(err), field=err.field)
        return _html(text)

    @router.get("/board", response_class=HTMLResponse, summary="Board summary page",
                responses={200: {"content": {"text/html": {}}},
                           422: {"description": "Bad since date, or no audit recorded "
                                 "that early", **_PROBLEM_SCHEMA}})
    def get_board(
        request: Request, store: Annotated[Store, Depends(get_store)],
        since: Annotated[str | None, Query(description="YYYY-MM-DD: also show what changed "
                                           "since the audit recorded on or before that "
                                           "day.")] = None,
    ) -> Any:
        """The Board's integrated performance report: per goal its measures with SPC
        charts and icons, most worrying first, and the projects that improve them; with
        ``since``, what changed since then (nothing is recorded by this page)."""
        try:
            with store.snapshot():  # the graph, SPC and findings of one revision
                graph = store.view()
                spc = store.spc_summaries()
                report = store.audit(config)
                changes = None
                if since:
                    day = history.parse_day(since, "since")
                    changes = history.since(store, day, history.record(graph, report, spc))
                return _html(render_board(graph, report, spc, links="served",
                                          changes=changes, account=who(request),
                                          progress=store.progress(),
                                          effort=store.effort(config)))
        except ValidationError as err:
            return problem(422, "Invalid request", str(err), field="since")

    return router
