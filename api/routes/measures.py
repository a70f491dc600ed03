"""SPC of a measure: the analysis as JSON, and the XmR chart as SVG or PNG."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response

from qmsgraph.spc.chart import render_png_bytes, render_svg
from qmsgraph.spc.graph import measure_spc

from ..auth import Principal, require_role
from ..deps import AUTH_ERRORS, INVALID, NOT_FOUND, id_path
from ..schemas import SPCOut
from ..state import AppState, state

router = APIRouter(prefix="/measures", tags=["measures"], responses=AUTH_ERRORS)
Viewer = Annotated[Principal, Depends(require_role("viewer"))]
State = Annotated[AppState, Depends(state)]
MeasureId = Annotated[str, Path(description="The measure's id.", **id_path("M1"))]
Rebase = Annotated[list[dt.date] | None, Query(
    max_length=50, description="Dates where a new group (new mean and limits) starts.")]
FixAfter = Annotated[int | None, Query(
    ge=12, le=10_000, description="Compute each group's limits from its first N points only.")]
# matplotlib's rc_context changes global settings: draw one chart at a time.
_DRAWING = threading.Lock()
Screen = Annotated[bool, Query(description=(
    "Drop moving ranges >= 3.267 x their average before computing the limits."))]


def _analyse(st: AppState, measure_id: str, rebase: list[dt.date] | None,
             fix_after_n_points: int | None, screen_outliers: bool) -> tuple[Any, Any]:
    overrides: dict[str, Any] = {"screen_outliers": screen_outliers,
                                 "fix_after_n_points": fix_after_n_points,
                                 "rebase": tuple(rebase or ())}
    graph = st.store.view()
    result = measure_spc(graph, measure_id, overrides)
    return result, graph.node(measure_id)


@router.get("/{measure_id}/spc", response_model=SPCOut, summary="SPC analysis of a measure",
            responses={**NOT_FOUND, **INVALID})
def spc(st: State, _: Viewer, measure_id: MeasureId, rebase: Rebase = None,
        fix_after_n_points: FixAfter = None, screen_outliers: Screen = True
        ) -> dict[str, Any]:
    """Mean, process limits, every point's special-cause verdict, variation and assurance
    icons, and plain-English signals (NHS Making Data Count rules)."""
    result, m = _analyse(st, measure_id, rebase, fix_after_n_points, screen_outliers)
    return {"measure": m.id, "label": m.label, "unit_of_measure": m.unit_of_measure,
            **result.to_dict()}


def _chart(fmt: str) -> Any:
    media = {"svg": "image/svg+xml", "png": "image/png"}[fmt]

    def chart(st: State, _: Viewer, measure_id: MeasureId, rebase: Rebase = None,
              fix_after_n_points: FixAfter = None, screen_outliers: Screen = True
              ) -> Response:
        result, m = _analyse(st, measure_id, rebase, fix_after_n_points, screen_outliers)
        with _DRAWING:
            if fmt == "svg":
                body: str | bytes = render_svg(result, m.label, m.unit_of_measure)
            else:
                body = render_png_bytes(result, m.label, m.unit_of_measure)
        return Response(body, media_type=media)

    chart.__name__ = f"spc_chart_{fmt}"
    chart.__doc__ = f"The XmR chart with its variation and assurance icons, as {fmt.upper()}."
    router.add_api_route(
        f"/{{measure_id}}/spc.{fmt}", chart, methods=["GET"], response_class=Response,
        summary=f"SPC chart of a measure ({fmt.upper()})",
        responses={200: {"description": "The chart.", "content": {media: {"schema": {
            "type": "string", **({"format": "binary"} if fmt == "png" else {})}}}},
            **NOT_FOUND, **INVALID})
    return chart


_chart("svg")
_chart("png")
