"""Draw the standard Making Data Count SPC (XmR) chart of an :class:`~qmsgraph.spc.SPCResult`.

The chart: the values joined by a grey line; each point coloured by its type (special cause
improvement blue, concern orange, neutral purple, common cause grey); the mean (solid) and the
process limits (dashed) of each rebase group, broken at each rebase; a vertical line at each
rebase; the target (red, dashed) when one is set, always inside the frame; and, in a narrow
column on the right, the Making Data Count variation and assurance icons, drawn from the same
primitives as the pages' icons (:mod:`qmsgraph.spc.icons`).

Rendering uses matplotlib's object API (no ``pyplot``, no global state, no display): the PNG
is drawn with the Agg canvas, the SVG with matplotlib's SVG backend. Text in the SVG is written
as ``<text>`` elements (``svg.fonttype = "none"``), XML-escaped by matplotlib; user text is
never parsed as mathtext. Artists carry SVG ids (``spc-title``, ``spc-mean``, ``spc-target``,
``spc-points-<point_type>``, ``spc-variation-icon``, ``spc-assurance-icon`` ...) so the output
can be inspected.
"""

from __future__ import annotations

import io
import math
import textwrap
import threading
from datetime import date
from pathlib import Path

import matplotlib
from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

from . import (
    ASSURANCE_ICON_LABELS,
    COMMON_CAUSE,
    SPECIAL_CAUSE_CONCERN,
    SPECIAL_CAUSE_IMPROVEMENT,
    SPECIAL_CAUSE_NEUTRAL_HIGH,
    SPECIAL_CAUSE_NEUTRAL_LOW,
    VARIATION_ICON_LABELS,
    SPCResult,
)
from .icons import Icon, assurance_icon, variation_icon

__all__ = [
    "COLOURS",
    "POINT_TYPE_LABELS",
    "build_figure",
    "render_png",
    "render_png_bytes",
    "render_svg",
]

# Making Data Count / NHSRplotthedots colours
COLOURS: dict[str, str] = {
    COMMON_CAUSE: "#7B7D7D",
    SPECIAL_CAUSE_IMPROVEMENT: "#289DE0",
    SPECIAL_CAUSE_CONCERN: "#FAB428",
    SPECIAL_CAUSE_NEUTRAL_HIGH: "#361475",
    SPECIAL_CAUSE_NEUTRAL_LOW: "#361475",
    "mean": "#231F20",
    "limits": "#5F6366",
    "target": "#DE1B1B",
    "rebase": "#A6A6A6",
    "line": "#A6A6A6",
}

POINT_TYPE_LABELS: dict[str, str] = {
    COMMON_CAUSE: "Common cause",
    SPECIAL_CAUSE_IMPROVEMENT: "Special cause improvement",
    SPECIAL_CAUSE_CONCERN: "Special cause concern",
    SPECIAL_CAUSE_NEUTRAL_HIGH: "Special cause (neutral, high)",
    SPECIAL_CAUSE_NEUTRAL_LOW: "Special cause (neutral, low)",
}

_FIGSIZE = (11.0, 5.6)
_RC = {"svg.fonttype": "none", "svg.hashsalt": "qmsgraph-spc", "font.family": "DejaVu Sans"}


def _fmt(x: float) -> str:
    if math.isnan(x):
        return "n/a"
    a = abs(x)
    if a >= 1000:
        return f"{x:,.0f}"
    decimals = 2 if a == 0 else max(0, 3 - int(math.floor(math.log10(a))))
    text = f"{x:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _draw_icon(fig: Figure, rect: tuple[float, float, float, float], icon: Icon, gid: str,
               caption: str) -> None:
    """One Making Data Count icon (:mod:`qmsgraph.spc.icons`, the same primitives as the
    pages' SVG icons) with a short caption under it."""
    ax = fig.add_axes(rect)
    ax.set_gid(gid)
    ax.set_xlim(0, 100)
    ax.set_ylim(135, 0)  # y grows downwards, as in SVG; room for the caption below
    ax.set_aspect("equal", adjustable="box")
    ax.axis("off")
    for p in icon.prims:
        if p[0] == "circle":
            _, cx, cy, r, fill, stroke, w = p
            ax.add_patch(Circle((cx, cy), r, facecolor=fill, edgecolor=stroke, linewidth=w / 2.2))
        elif p[0] == "polyline":
            _, pts, stroke, w = p
            ax.plot([x for x, _ in pts], [y for _, y in pts], color=stroke, linewidth=w / 2.2)
        elif p[0] == "dots":
            _, dots, r = p
            for x, y, c in dots:
                ax.add_patch(Circle((x, y), r, facecolor=c, edgecolor="none"))
        elif p[0] == "line":
            _, x1, y1, x2, y2, stroke, w = p
            ax.plot([x1, x2], [y1, y2], color=stroke, linewidth=w / 2.2, linestyle=(0, (4, 2)))
        elif p[0] == "text":
            _, x, y, text, fs, colour = p
            ax.text(x, y, text, ha="center", va="center", fontsize=fs * 0.42,
                    fontweight="bold", color=colour, parse_math=False)
    ax.text(50, 104, "\n".join(textwrap.wrap(caption, 18)), ha="center", va="top", fontsize=7.5,
            color="#231F20", parse_math=False)


# matplotlib's rc settings are global: one chart at a time, so threads (the API) can't mix them.
_RC_LOCK = threading.RLock()


def build_figure(result: SPCResult, title: str, unit: str | None = None) -> Figure:
    """The chart as a matplotlib Figure (not attached to pyplot)."""
    with _RC_LOCK, matplotlib.rc_context(_RC):
        return _build(result, title, unit)


def _build(result: SPCResult, title: str, unit: str | None) -> Figure:
    fig = Figure(figsize=_FIGSIZE)
    ax = fig.add_axes((0.075, 0.21, 0.79, 0.64))
    pts = result.points
    xs: list[date] = [p.date for p in pts]
    ys = [p.value for p in pts]

    # the data line, then the points coloured by type (one artist per type, for the legend)
    (line,) = ax.plot(xs, ys, color=COLOURS["line"], linewidth=1.6, zorder=2)
    line.set_gid("spc-line")
    order = [
        COMMON_CAUSE,
        SPECIAL_CAUSE_IMPROVEMENT,
        SPECIAL_CAUSE_CONCERN,
        SPECIAL_CAUSE_NEUTRAL_HIGH,
        SPECIAL_CAUSE_NEUTRAL_LOW,
    ]
    handles: list[Line2D] = []
    for kind in order:
        sel = [p for p in pts if p.point_type == kind]
        if not sel:
            continue
        (mk,) = ax.plot(
            [p.date for p in sel],
            [p.value for p in sel],
            linestyle="none",
            marker="o",
            markersize=6.5,
            markerfacecolor=COLOURS[kind],
            markeredgecolor=COLOURS[kind],
            zorder=4,
            label=POINT_TYPE_LABELS[kind],
        )
        mk.set_gid(f"spc-points-{kind}")
        handles.append(mk)

    # mean and limits per group, broken at rebases
    drawn_limits = False
    for g in result.groups:
        gx = [g.start_date, g.end_date]
        (m,) = ax.plot(gx, [g.mean, g.mean], color=COLOURS["mean"], linewidth=1.4, zorder=3)
        m.set_gid(f"spc-mean-{g.group}")
        if g.limits_defined:
            for name, v in (("lpl", g.lpl), ("upl", g.upl)):
                (lim,) = ax.plot(
                    gx,
                    [v, v],
                    color=COLOURS["limits"],
                    linewidth=1.2,
                    linestyle=(0, (5, 3)),
                    zorder=3,
                )
                lim.set_gid(f"spc-{name}-{g.group}")
            drawn_limits = True
    last = result.groups[-1]
    now = "latest: " if len(result.groups) > 1 else ""
    handles.append(
        Line2D([], [], color=COLOURS["mean"], linewidth=1.4, label=f"Mean ({now}{_fmt(last.mean)})")
    )
    if drawn_limits:
        handles.append(
            Line2D(
                [],
                [],
                color=COLOURS["limits"],
                linewidth=1.2,
                linestyle=(0, (5, 3)),
                label=(
                    f"Process limits ({now}{_fmt(last.lpl)} to {_fmt(last.upl)})"
                    if last.limits_defined
                    else "Process limits (earlier groups)"
                ),
            )
        )

    # rebase lines
    for g in result.groups[1:]:
        rb = ax.axvline(
            g.start_date, color=COLOURS["rebase"], linewidth=1.2, linestyle=(0, (2, 2)), zorder=1
        )
        rb.set_gid(f"spc-rebase-{g.group}")
        ax.annotate(
            "Rebase",
            xy=(g.start_date, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
            color="#5F6366",
            parse_math=False,
        )

    target = result.options.target
    if target is not None:
        tl = ax.axhline(
            target, color=COLOURS["target"], linewidth=1.6, linestyle=(0, (6, 3)), zorder=3
        )
        tl.set_gid("spc-target")
        handles.append(
            Line2D(
                [],
                [],
                color=COLOURS["target"],
                linewidth=1.6,
                linestyle=(0, (6, 3)),
                label=f"Target ({_fmt(target)})",
            )
        )

    # the y-axis takes in the target and the limits with a margin, so no line sits on the frame
    span_vals = [v for v in ys if math.isfinite(v)]
    span_vals += [v for g in result.groups for v in (g.lpl, g.upl, g.mean) if math.isfinite(v)]
    if target is not None:
        span_vals.append(target)
    if span_vals:
        lo, hi = min(span_vals), max(span_vals)
        pad = (hi - lo) * 0.08 or abs(hi) * 0.1 or 1.0
        ax.set_ylim(lo - pad, hi + pad)

    # axes cosmetics
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#E6E6E6", linewidth=0.8)
    ax.set_axisbelow(True)
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if len(xs) == 1:
        ax.set_xlim(mdates.date2num(xs[0]) - 15, mdates.date2num(xs[0]) + 15)
    ax.tick_params(labelsize=9)
    if unit:
        ax.set_ylabel(unit, fontsize=10, parse_math=False)

    wrapped = "\n".join(textwrap.wrap(title, 70)) or " "
    t = fig.text(
        0.075,
        0.975,
        wrapped,
        ha="left",
        va="top",
        fontsize=14,
        fontweight="bold",
        color="#231F20",
        parse_math=False,
    )
    t.set_gid("spc-title")
    direction = {
        "increase": "Higher is better",
        "decrease": "Lower is better",
        "neutral": "No preferred direction",
    }[result.options.improvement_direction]
    sub = (
        f"{direction} · {len(pts)} points, {pts[0].date.isoformat()} to {pts[-1].date.isoformat()}"
    )
    if last.short_group_warning:
        sub += f" · limits provisional (fewer than 13 points since {last.start_date.isoformat()})"
    n_title_lines = wrapped.count("\n") + 1
    st = fig.text(
        0.075,
        0.975 - 0.05 * n_title_lines,
        sub,
        ha="left",
        va="top",
        fontsize=9.5,
        color="#5F6366",
        parse_math=False,
    )
    st.set_gid("spc-subtitle")
    if n_title_lines > 1:  # make room for a long title
        ax.set_position((0.075, 0.21, 0.79, 0.64 - 0.05 * (n_title_lines - 1)))

    leg = ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=3,
        frameon=False,
        fontsize=9,
    )
    leg.set_gid("spc-legend")

    # icons: the variation and assurance icons in a narrow column on the right
    _draw_icon(fig, (0.885, 0.55, 0.1, 0.27), variation_icon(result.variation_icon),
               "spc-variation-icon", VARIATION_ICON_LABELS[result.variation_icon])
    if result.assurance_icon is not None:
        _draw_icon(fig, (0.885, 0.22, 0.1, 0.27), assurance_icon(result.assurance_icon),
                   "spc-assurance-icon", ASSURANCE_ICON_LABELS[result.assurance_icon])
    return fig


def render_svg(result: SPCResult, title: str, unit: str | None = None) -> str:
    """The chart as SVG text (UTF-8, deterministic, text as escaped ``<text>`` elements);
    characters XML cannot carry are dropped from the title and unit, so it is well-formed."""
    from ..io.safe import xml_text

    title, unit = xml_text(title), xml_text(unit)
    with _RC_LOCK, matplotlib.rc_context(_RC):
        fig = _build(result, title, unit)
        FigureCanvasSVG(fig)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Title": title})
    return buf.getvalue()


def render_png_bytes(
    result: SPCResult, title: str, unit: str | None = None, dpi: int = 120
) -> bytes:
    """The chart as PNG bytes, drawn with Agg."""
    with _RC_LOCK, matplotlib.rc_context(_RC):
        fig = _build(result, title, unit)
        FigureCanvasAgg(fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def render_png(
    result: SPCResult, path: str | Path, title: str, unit: str | None = None, dpi: int = 120
) -> Path:
    """Write the chart as a PNG file (parent folders must exist); returns the path."""
    out = Path(path)
    out.write_bytes(render_png_bytes(result, title, unit, dpi=dpi))
    return out
