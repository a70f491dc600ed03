"""SPC of a measure: the analysis as JSON and the chart as SVG or PNG, on the chart type the
measure states (XmR, Making Data Count, unless it says otherwise) or the one asked for, with
the annotations from the improvement work on the measure and, if asked, a rebase prompt."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from qmsgraph.spc.measures import MeasureChart, measure_chart
from qmsgraph.spc.qichart import measure_figure, render_figure

from ..auth import Principal, require_role
from ..deps import AUTH_ERRORS, INVALID, NOT_FOUND, id_path
from ..schemas import SPCOut
from ..spc_schemas import QIChartOut
from ..state import AppState, state

router = APIRouter(prefix="/measures", tags=["measures"], responses=AUTH_ERRORS)
Viewer = Annotated[Principal, Depends(require_role("viewer"))]
State = Annotated[AppState, Depends(state)]
MeasureId = Annotated[str, Path(description="The measure's id.", **id_path("M1"))]
Rebase = Annotated[list[dt.date] | None, Query(
    max_length=50, description="Dates where a new group (new mean and limits) starts.")]
FixAfter = Annotated[int | None, Query(
    ge=12, le=10_000, description="XmR: compute each group's limits from its first N points.")]
# matplotlib's rc_context changes global settings: draw one chart at a time.
_DRAWING = threading.Lock()
Screen = Annotated[bool, Query(description=(
    "XmR: drop moving ranges >= 3.267 x their average before computing the limits."))]
Chart = Annotated[Literal["xmr", "run", "i", "p", "u", "c", "g", "t", "pp", "up"] | None, Query(
    description="The chart type; default: the measure's chart_type (xmr unless it says).")]
Positions = Annotated[list[int] | None, Query(max_length=200, description=(
    "1-based positions (run/qicharts2 charts)."))]
Freeze = Annotated[int | None, Query(ge=0, le=1_000_000, description=(
    "Run/qicharts2 charts: the last baseline position (ignored with part)."))]
Multiply = Annotated[float | None, Query(gt=-1e12, lt=1e12, description=(
    "Run/qicharts2 charts: scale y and the lines (default from the unit: 100 for %)."))]
KnownCl = Annotated[float | None, Query(gt=-1e12, lt=1e12, description="A known centre line.")]
Rules = Annotated[Literal["anhoej", "bestbox", "cutbox", "ihi"], Query(
    description="Runs rules of run/qicharts2 charts.")]
ScreenMR = Annotated[bool, Query(description=(
    "I, T, P', U': screen moving ranges >= 3.267 x their average (qic.screenedmr)."))]
Suggest = Annotated[bool, Query(description=(
    "Propose a rebase where a change recorded on the measure's thread explains a sustained "
    "shift (never applied)."))]


def _analyse(st: AppState, measure_id: str, chart: str | None, rebase: list[dt.date] | None,
             fix_after_n_points: int | None, screen_outliers: bool, freeze: int | None,
             part: list[int] | None, exclude: list[int] | None, multiply: float | None,
             cl: float | None, rules: str, screen_mr: bool, suggest: bool) -> MeasureChart:
    overrides: dict[str, Any] = {
        "rebase": tuple(rebase or ()), "screen_outliers": screen_outliers,
        "fix_after_n_points": fix_after_n_points, "freeze": freeze,
        "part": tuple(part or ()), "exclude": tuple(exclude or ()), "multiply": multiply,
        "cl": cl, "rules": rules, "screen_mr": screen_mr}
    with st.store.snapshot():
        graph = st.store.view()
        return measure_chart(graph, measure_id, overrides, chart=chart, suggest_rebase=suggest)


@router.get("/{measure_id}/spc", response_model=SPCOut | QIChartOut,
            summary="SPC analysis of a measure", responses={**NOT_FOUND, **INVALID})
def spc(st: State, _: Viewer, measure_id: MeasureId, chart: Chart = None,
        rebase: Rebase = None, fix_after_n_points: FixAfter = None,
        screen_outliers: Screen = True, freeze: Freeze = None, part: Positions = None,
        exclude: Positions = None, multiply: Multiply = None, cl: KnownCl = None,
        rules: Rules = "anhoej", screen_mr: ScreenMR = True, suggest_rebase: Suggest = False
        ) -> dict[str, Any]:
    """The measure's chart: for XmR (Making Data Count) mean, process limits, every point's
    special-cause verdict, variation and assurance icons; for a run or qicharts2 chart, the
    centre line, limits and runs analysis of each part. Both with plain-words signals, the
    dated annotations from the improvement work on the measure, and the rebase prompt."""
    return _analyse(st, measure_id, chart, rebase, fix_after_n_points, screen_outliers,
                    freeze, part, exclude, multiply, cl, rules, screen_mr,
                    suggest_rebase).to_dict()


def _link(node: str) -> str:
    """Where a chart's annotation flag leads: the node's thread on the served map."""
    from urllib.parse import urlencode

    return "../../map?" + urlencode({"view": "thread", "focus": node})


def _chart(fmt: str) -> Any:
    media = {"svg": "image/svg+xml", "png": "image/png"}[fmt]

    def chart(st: State, _: Viewer, measure_id: MeasureId, chart: Chart = None,
              rebase: Rebase = None, fix_after_n_points: FixAfter = None,
              screen_outliers: Screen = True, freeze: Freeze = None, part: Positions = None,
              exclude: Positions = None, multiply: Multiply = None, cl: KnownCl = None,
              rules: Rules = "anhoej", screen_mr: ScreenMR = True) -> Response:
        mc = _analyse(st, measure_id, chart, rebase, fix_after_n_points, screen_outliers,
                      freeze, part, exclude, multiply, cl, rules, screen_mr, False)
        with _DRAWING:
            body = render_figure(lambda: measure_figure(mc, link=_link), fmt)
        return Response(body, media_type=media)

    chart.__name__ = f"spc_chart_{fmt}"
    chart.__doc__ = (f"The measure's chart as {fmt.upper()}, with its icons and the flags of "
                     "its annotations (in SVG each flag links to its node on the map).")
    router.add_api_route(
        f"/{{measure_id}}/spc.{fmt}", chart, methods=["GET"], response_class=Response,
        summary=f"SPC chart of a measure ({fmt.upper()})",
        responses={200: {"description": "The chart.", "content": {media: {"schema": {
            "type": "string", **({"format": "binary"} if fmt == "png" else {})}}}},
            **NOT_FOUND, **INVALID})
    return chart


_chart("svg")
_chart("png")
