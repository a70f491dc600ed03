"""A small SPC chart for a table row: the values, the mean, the process limits, the target and
the special-cause points in their Making Data Count colours, as inline SVG.

The numbers come from the measure's data (the store's view) and its SPC summary
(:meth:`~qmsgraph.stores.Store.spc_summaries`: latest mean and limits, every point's type);
nothing is recomputed here.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from qmsgraph.spc import (
    COMMON_CAUSE,
    SPECIAL_CAUSE_CONCERN,
    SPECIAL_CAUSE_IMPROVEMENT,
    SPECIAL_CAUSE_NEUTRAL_HIGH,
    SPECIAL_CAUSE_NEUTRAL_LOW,
)
from qmsgraph.spc.icons import ICON_COLOURS

POINT_COLOURS = {
    COMMON_CAUSE: "#7B7D7D",
    SPECIAL_CAUSE_IMPROVEMENT: ICON_COLOURS["improvement"],
    SPECIAL_CAUSE_CONCERN: ICON_COLOURS["concern"],
    SPECIAL_CAUSE_NEUTRAL_HIGH: ICON_COLOURS["neutral"],
    SPECIAL_CAUSE_NEUTRAL_LOW: ICON_COLOURS["neutral"],
}
POINT_WORDS = {SPECIAL_CAUSE_IMPROVEMENT: "improvement", SPECIAL_CAUSE_CONCERN: "concern",
               SPECIAL_CAUSE_NEUTRAL_HIGH: "special cause", SPECIAL_CAUSE_NEUTRAL_LOW:
               "special cause"}


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and math.isfinite(v) else None


def _fmt(v: float) -> str:
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"


def sparkline(values: list[float], summary: dict[str, Any] | None, *,
              target: float | None = None, label: str = "", width: int = 200,
              height: int = 54) -> dict[str, Any]:
    """``{"svg": markup, "alt": text}``: the chart and a sentence describing it."""
    n = len(values)
    if n == 0:
        return {"svg": "", "alt": ""}
    s = summary or {}
    types = list(s.get("point_types") or [])
    if len(types) != n:
        types = [COMMON_CAUSE] * n
    mean, lpl, upl = _num(s.get("mean")), _num(s.get("lpl")), _num(s.get("upl"))
    span = [v for v in values if math.isfinite(v)]
    span += [v for v in (mean, lpl, upl, target) if v is not None]
    lo, hi = min(span), max(span)
    if hi == lo:
        hi, lo = hi + 1, lo - 1
    pad_y, pad_x = 5.0, 4.0

    def x(i: int) -> float:
        return pad_x + (width - 2 * pad_x) * (i / (n - 1) if n > 1 else 0.5)

    def y(v: float) -> float:
        return pad_y + (height - 2 * pad_y) * (1 - (v - lo) / (hi - lo))

    parts = [f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']
    for v, cls, colour, dash in ((upl, "upl", "#5F6366", "4 3"), (lpl, "lpl", "#5F6366", "4 3"),
                                 (mean, "mean", "#231F20", ""),
                                 (target, "target", "#DE1B1B", "6 3")):
        if v is None:
            continue
        d = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line class="spark-{cls}" x1="{pad_x}" x2="{width - pad_x}" '
                     f'y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="{colour}" stroke-width="1.2"{d}/>')
    pts = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    parts.append(f'<polyline points="{pts}" fill="none" stroke="#A6A6A6" stroke-width="1.3"/>')
    special = 0
    for i, (v, t) in enumerate(zip(values, types, strict=True)):
        if t == COMMON_CAUSE and i != n - 1:
            continue
        special += t != COMMON_CAUSE
        r = 3.0 if t != COMMON_CAUSE else 2.4
        parts.append(f'<circle class="spark-point spark-{escape(t)}" cx="{x(i):.1f}" '
                     f'cy="{y(v):.1f}" r="{r}" fill="{POINT_COLOURS.get(t, "#7B7D7D")}"/>')
    words = [f"{n} points, latest {_fmt(values[-1])}"]
    if mean is not None:
        words.append(f"mean {_fmt(mean)}")
    if lpl is not None and upl is not None:
        words.append(f"process limits {_fmt(lpl)} to {_fmt(upl)}")
    if target is not None:
        words.append(f"target {_fmt(target)}")
    kinds = sorted({POINT_WORDS[t] for t in types if t in POINT_WORDS})
    words.append(f"{special} special-cause point(s)" + (f" ({', '.join(kinds)})" if kinds
                                                          else ""))
    alt = f"SPC chart{' of ' + label if label else ''}: " + ", ".join(words) + "."
    svg = (f'<svg class="spark" role="img" aria-label="{escape(alt)}" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" focusable="false">'
           f"<title>{escape(alt)}</title>" + "".join(parts) + "</svg>")
    return {"svg": svg, "alt": alt}
