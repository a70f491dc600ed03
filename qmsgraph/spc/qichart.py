"""Draw run charts and qicharts2 control charts (:class:`~.qiresults.QIResult`), and draw the
annotations from the graph (projects, change ideas, PDSA cycles, rebases) on any chart of a
measure, XmR included (:func:`measure_figure`).

The chart: values joined by a grey line; points outside the limits, or in an unusually long run,
coloured as Making Data Count colours them (improvement blue, concern orange, neutral purple);
excluded points hollow; the centre line (median for a run chart, dashed when the runs rules
signal, as qicharts2 draws it) and the 3-sigma limits of each part as steps (they vary with the
denominator); a line at each part boundary; the target (red, dashed). Annotations are numbered
flags at the top of the plot with dotted lines at their dates, and a numbered key below; in SVG
each flag links to its node (``link``). Same rendering approach as :mod:`.chart` (object API,
Agg / SVG canvases, no pyplot, text never parsed as mathtext).
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import matplotlib
from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .annotate import Annotation
from .chart import (
    _RC,
    _RC_LOCK,
    COLOURS,
    POINT_TYPE_LABELS,
    _build,
    _draw_icon,
    _fmt,
)
from .icons import assurance_icon, variation_icon
from .qiresults import CHART_LABELS, QIResult
from .results import ASSURANCE_ICON_LABELS, COMMON_CAUSE, VARIATION_ICON_LABELS

if TYPE_CHECKING:
    from .measures import MeasureChart

__all__ = ["MARK_COLOURS", "build_qi_figure", "measure_figure", "render_figure"]

MARK_COLOURS: dict[str, str] = {
    "project_start": "#007F3B",  # NHS green
    "project_end": "#007F3B",
    "change_idea": "#330072",  # NHS purple
    "pdsa": "#005EB8",  # NHS blue
    "rebase": "#5F6366",
}
_FIGSIZE = (11.0, 5.6)
_KEY_LINE = 0.23  # inches per line of the annotation key
Link = Callable[[str], str] | None


def _xnum(x: int | date) -> float:
    return float(mdates.date2num(x)) if isinstance(x, date) else float(x)


def _segments(points: list[Any], key: str, part: int) -> tuple[list[float], list[float]]:
    """x, y of a line as steps centred on each point of a part (limits vary with n)."""
    pts = [p for p in points if p.part == part]
    xs = [_xnum(p.x) for p in pts]
    if len(xs) == 1:
        half = [0.5 if not isinstance(pts[0].x, date) else 15.0]
    else:
        half = [(b - a) / 2 for a, b in zip(xs, xs[1:], strict=False)]
    out_x: list[float] = []
    out_y: list[float] = []
    for i, p in enumerate(pts):
        left = xs[i] - (half[i - 1] if i > 0 else half[0])
        right = xs[i] + (half[i] if i < len(half) else half[-1])
        v = getattr(p, key)
        out_x += [left, right]
        out_y += [v, v]
    return out_x, out_y


def build_qi_figure(result: QIResult, title: str, unit: str | None = None,
                    direction: str = "neutral", target: float | None = None,
                    icons: tuple[str | None, str | None] = (None, None),
                    point_types: list[str] | None = None) -> Figure:
    """The chart as a matplotlib Figure (call inside :func:`render_figure` or the rc lock)."""
    from .measures import qi_point_types

    fig = Figure(figsize=_FIGSIZE)
    ax = fig.add_axes((0.075, 0.21, 0.70, 0.64))
    pts = result.points
    xs = [_xnum(p.x) for p in pts]
    types = point_types or qi_point_types(result, direction)
    for part in result.parts:  # the data line, broken between parts
        sel = [(x, p.y) for x, p in zip(xs, pts, strict=True) if p.part == part.part]
        (line,) = ax.plot([x for x, _ in sel], [y for _, y in sel], color=COLOURS["line"],
                          linewidth=1.6, zorder=2)
        line.set_gid(f"spc-line-{part.part}")
    handles: list[Any] = []
    for kind in dict.fromkeys([COMMON_CAUSE, *types]):
        sel = [(x, p) for x, p, t in zip(xs, pts, types, strict=True) if t == kind and p.include]
        if sel:
            (mk,) = ax.plot([x for x, _ in sel], [p.y for _, p in sel], linestyle="none",
                            marker="o", markersize=6, color=COLOURS[kind], zorder=4,
                            label=POINT_TYPE_LABELS[kind])
            mk.set_gid(f"spc-points-{kind}")
            handles.append(mk)
    excluded = [(x, p) for x, p in zip(xs, pts, strict=True) if not p.include]
    if excluded:
        (ex,) = ax.plot([x for x, _ in excluded], [p.y for _, p in excluded], linestyle="none",
                        marker="o", markersize=6, markerfacecolor="white",
                        markeredgecolor=COLOURS[COMMON_CAUSE], zorder=4, label="Excluded")
        ex.set_gid("spc-points-excluded")
        handles.append(ex)

    is_run = result.chart == "run"
    any_limits = False
    for part in result.parts:
        dashed = part.signal
        cx, cy = _segments(pts, "cl", part.part)
        (c,) = ax.plot(cx, cy, color=COLOURS["mean"], linewidth=1.4, zorder=3,
                       linestyle=(0, (4, 2)) if dashed else "-")
        c.set_gid(f"spc-cl-{part.part}")
        for key in ("lcl", "ucl"):
            lx, ly = _segments(pts, key, part.part)
            if any(math.isfinite(v) for v in ly):
                any_limits = True
                (lim,) = ax.plot(lx, ly, color=COLOURS["limits"], linewidth=1.1,
                                 linestyle=(0, (5, 3)), zorder=3)
                lim.set_gid(f"spc-{key}-{part.part}")
        if part.part > 1:
            first = next(p for p in pts if p.part == part.part)
            prev = pts[pts.index(first) - 1]
            ax.axvline((_xnum(prev.x) + _xnum(first.x)) / 2, color=COLOURS["rebase"],
                       linewidth=1.2, linestyle=(0, (2, 2)), zorder=1).set_gid(
                f"spc-part-{part.part}")
    last_cl = pts[-1].cl
    centre = "Median" if is_run else ("Median (G chart)" if result.chart == "g" else "Centre")
    handles.append(Line2D([], [], color=COLOURS["mean"], linewidth=1.4,
                          linestyle=(0, (4, 2)) if result.latest_part.signal else "-",
                          label=f"{centre} ({_fmt(last_cl)})"
                          + (", dashed: runs signal" if result.latest_part.signal else "")))
    if any_limits:
        handles.append(Line2D([], [], color=COLOURS["limits"], linewidth=1.1,
                              linestyle=(0, (5, 3)), label="Control limits (3 sigma)"))
    if target is not None:
        ax.axhline(target, color=COLOURS["target"], linewidth=1.6, linestyle=(0, (6, 3)),
                   zorder=3).set_gid("spc-target")
        handles.append(Line2D([], [], color=COLOURS["target"], linewidth=1.6,
                              linestyle=(0, (6, 3)), label=f"Target ({_fmt(target)})"))

    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#E6E6E6", linewidth=0.8)
    ax.set_axisbelow(True)
    if isinstance(pts[0].x, date):
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.tick_params(labelsize=9)
    if unit:
        ax.set_ylabel(unit, fontsize=10, parse_math=False)
    wrapped = "\n".join(textwrap.wrap(title, 70)) or " "
    lines = wrapped.count("\n") + 1
    fig.text(0.075, 0.975, wrapped, ha="left", va="top", fontsize=14, fontweight="bold",
             color="#231F20", parse_math=False).set_gid("spc-title")
    if lines > 1:  # make room for a long title
        ax.set_position((0.075, 0.21, 0.70, 0.64 - 0.05 * (lines - 1)))
    lp = result.latest_part
    sub = f"{CHART_LABELS[result.chart]} · {len(pts)} points"
    if lp.n_useful:
        sub += (f" · latest part: longest run {lp.longest_run} (limit {lp.longest_run_max}), "
                f"{lp.n_crossings} crossings (min {lp.n_crossings_min})")
    fig.text(0.075, 0.975 - 0.05 * lines, sub, ha="left", va="top", fontsize=9.5,
             color="#5F6366",
             parse_math=False).set_gid("spc-subtitle")
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3,
              frameon=False, fontsize=9).set_gid("spc-legend")

    variation, assurance = icons
    if variation is not None:  # the Making Data Count icons every page draws (icons.py)
        _draw_icon(fig, (0.84, 0.50, 0.12, 0.34), variation_icon(variation),
                   "spc-variation-icon", VARIATION_ICON_LABELS[variation])
    else:  # a run chart: a plain-words verdict instead of icons
        verdict = result.signals()[0]
        fig.text(0.80, 0.80, "\n".join(textwrap.wrap(verdict, 26)), ha="left", va="top",
                 fontsize=9, color="#231F20", parse_math=False).set_gid("spc-run-verdict")
    if assurance is not None:
        _draw_icon(fig, (0.84, 0.12, 0.12, 0.34), assurance_icon(assurance),
                   "spc-assurance-icon", ASSURANCE_ICON_LABELS[assurance])
    return fig


def add_marks(fig: Figure, marks: list[Annotation], link: Link = None) -> list[Annotation]:
    """Numbered flags at the top of the plot and a key below it; returns the marks drawn (those
    within the chart's dates). The figure grows to hold the key."""
    ax = fig.axes[0]
    lo, hi = ax.get_xlim()
    shown = [a for a in marks if lo <= mdates.date2num(a.date) <= hi]
    if not shown:
        return []
    w, h = fig.get_size_inches()
    per_col = math.ceil(len(shown) / 2)
    extra = _KEY_LINE * per_col + 0.35
    fig.set_size_inches(w, h + extra)
    scale = h / (h + extra)
    for a in fig.axes:  # keep every axes where it was, in inches, above the key
        x0, y0, aw, ah = a.get_position().bounds
        a.set_position((x0, 1 - (1 - y0) * scale, aw, ah * scale))
    for t in fig.texts:
        x, y = t.get_position()
        t.set_position((x, 1 - (1 - y) * scale))
    ax.set_xlim(lo, hi)
    levels: list[tuple[float, int]] = []  # (x as axes fraction, level) of flags drawn
    for i, a in enumerate(shown, start=1):
        x = mdates.date2num(a.date)
        colour = MARK_COLOURS[a.kind]
        frac = (x - lo) / ((hi - lo) or 1.0)
        level = 0  # flags closer than their width are stacked upwards
        while any(lv == level and abs(frac - f) < 0.022 for f, lv in levels):
            level += 1
        levels.append((frac, level))
        ax.axvline(x, color=colour, linewidth=0.9, linestyle=(0, (1, 2)), zorder=1,
                   alpha=0.8).set_gid(f"spc-mark-line-{i}")
        flag = ax.annotate(str(i), xy=(x, 1.0), xycoords=("data", "axes fraction"),
                           xytext=(0, 2 + 13 * level), textcoords="offset points",
                           ha="center", va="bottom", fontsize=7.5, color="white",
                           fontweight="bold", parse_math=False,
                           bbox={"boxstyle": "circle,pad=0.25", "facecolor": colour,
                                 "edgecolor": colour})
        flag.set_gid(f"spc-mark-{i}")
        if link is not None and a.node is not None:
            flag.set_url(link(a.node))
    top = max(lv for _, lv in levels)
    if top:  # stacked flags: lower the top of the plot so they clear the subtitle
        x0, y0, aw, ah = ax.get_position().bounds
        ax.set_position((x0, y0, aw, ah - top * 0.2 / (h + extra)))
    key_top = (_KEY_LINE * per_col + 0.2) / (h + extra)
    for i, a in enumerate(shown, start=1):
        col, row = divmod(i - 1, per_col)
        text = f"{i}  {a.date.isoformat()}  {a.text}"
        t = fig.text(0.075 + col * 0.46, key_top - row * _KEY_LINE / (h + extra),
                     textwrap.shorten(text, 78, placeholder="\u2026"), ha="left", va="top",
                     fontsize=8, color=MARK_COLOURS[a.kind], parse_math=False)
        t.set_gid(f"spc-mark-key-{i}")
        if link is not None and a.node is not None:
            t.set_url(link(a.node))
    return shown


def measure_figure(chart: MeasureChart, title: str | None = None, link: Link = None) -> Figure:
    """A measure's chart on its chart type, with its annotations (inside the rc lock)."""
    m = chart.measure
    name = title or m.label
    if chart.chart_type == "xmr":
        fig = _build(chart.result, name, m.unit_of_measure)  # type: ignore[arg-type]
    else:
        fig = build_qi_figure(chart.result, name, m.unit_of_measure,  # type: ignore[arg-type]
                              m.direction, m.target, chart.icons())
    add_marks(fig, chart.annotations, link)
    return fig


def render_figure(build: Callable[[], Figure], fmt: str = "png", dpi: int = 120
                  ) -> bytes | str:
    """Build and render a figure as PNG bytes or SVG text, one chart at a time."""
    with _RC_LOCK, matplotlib.rc_context(_RC):
        fig = build()
        if fmt == "svg":
            FigureCanvasSVG(fig)
            sbuf = io.StringIO()
            fig.savefig(sbuf, format="svg", metadata={"Date": None})
            return sbuf.getvalue()
        FigureCanvasAgg(fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
        return buf.getvalue()
