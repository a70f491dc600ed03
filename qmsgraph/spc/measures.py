"""A measure's chart, chosen by its ``chart_type``: the Making Data Count XmR chart (the default,
:mod:`.xmr`) or a run / qicharts2 chart (:mod:`.attribute`), with the measure's recorded rebases,
its annotations from the graph, icons and a plain-words summary.

How a measure's data feed each chart:

* ``xmr``, ``run``, ``i``, ``c``: ``value`` is the period's figure (for ``c``, a count).
* ``p``, ``pp``: ``value`` is the count of patients with the outcome, ``denominator`` the count
  of patients; plotted as a percentage when the unit says ``%``.
* ``u``, ``up``: ``value`` is the count of events, ``denominator`` the exposure (bed days,
  admissions); plotted per 1,000 (or 10,000 ...) when the unit says ``per 1,000 ...``.
* ``g``, ``t``: one data point per event, dated on the day it happened; ``value`` is the number
  of opportunities (``g``: admissions, procedures) or days (``t``) since the previous event.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..errors import SPCInputError, ValidationError
from ..graph import QMSGraph
from ..model import DataPoint, Measure
from .annotate import Annotation, RebasePrompt, annotations, rebase_prompt
from .attribute import qic
from .qiresults import DENOMINATOR_CHARTS, XMR, QIOptions, QIResult
from .results import (
    COMMON_CAUSE,
    SPECIAL_CAUSE_CONCERN,
    SPECIAL_CAUSE_IMPROVEMENT,
    SPECIAL_CAUSE_NEUTRAL_HIGH,
    SPECIAL_CAUSE_NEUTRAL_LOW,
    SPCOptions,
    SPCResult,
)
from .xmr import analyse

__all__ = ["MeasureChart", "display_value", "measure_chart", "multiplier", "qi_icons",
           "qi_point_types"]

QI_OPTION_KEYS = ("freeze", "part", "exclude", "multiply", "cl", "rules", "screen_mr")


def multiplier(m: Measure, chart: str | None = None) -> float:
    """The scale a ratio (value / denominator) is drawn on, read from the unit: 100 when it
    says %, 1,000 for 'per 1,000 bed days'; 1 otherwise, and for charts of plain values."""
    unit = (m.unit_of_measure or "").lower()
    if (chart or m.chart_type) in ("c", "g", "t", XMR) or not _has_denominators(m):
        return 1.0
    if "%" in unit or "percent" in unit:
        return 100.0
    found = re.search(r"per\s+([\d,]+)", unit)
    return float(found.group(1).replace(",", "")) if found else 1.0


def _has_denominators(m: Measure) -> bool:
    return bool(m.data) and all(p.denominator is not None for p in m.data)


def display_value(m: Measure, p: DataPoint) -> float:
    """The figure a person reads for a data point: the rate or percentage of a ratio chart."""
    if m.chart_type in DENOMINATOR_CHARTS and p.denominator:
        return round(p.value / p.denominator * multiplier(m), 2)
    return p.value


class MeasureChart:
    """A measure's analysed chart with its annotations and (if asked) a rebase prompt."""

    def __init__(self, measure: Measure, result: SPCResult | QIResult,
                 marks: list[Annotation], prompt: RebasePrompt | None) -> None:
        self.measure = measure
        self.result = result
        self.annotations = marks
        self.rebase_prompt = prompt

    @property
    def chart_type(self) -> str:
        return XMR if isinstance(self.result, SPCResult) else self.result.chart

    def icons(self) -> tuple[str | None, str | None]:
        """(variation icon, assurance icon): both from Making Data Count for XmR; for the other
        control charts, computed the same way from their limits; none for a run chart."""
        if isinstance(self.result, SPCResult):
            return self.result.variation_icon, self.result.assurance_icon
        return qi_icons(self.result, self.measure.direction, self.measure.target)

    def signals(self) -> list[str]:
        return self.result.latest_signals() if isinstance(self.result, SPCResult) \
            else self.result.signals()

    def to_dict(self) -> dict[str, Any]:
        variation, assurance = self.icons()
        body = self.result.to_dict()
        return {"measure": self.measure.id, "label": self.measure.label,
                "unit_of_measure": self.measure.unit_of_measure, "chart_type": self.chart_type,
                **body, "variation_icon": variation, "assurance_icon": assurance,
                "annotations": [a.to_dict() for a in self.annotations],
                "rebase_prompt": self.rebase_prompt.to_dict() if self.rebase_prompt else None}


def _measure(graph: QMSGraph, measure_id: str) -> Measure:
    node = graph.node(measure_id)
    if not isinstance(node, Measure):
        raise ValidationError(f"{measure_id!r} is a {node.kind}, not a Measure", field="measure")
    return node


def measure_chart(graph: QMSGraph, measure_id: str, overrides: dict[str, Any] | None = None,
                  chart: str | None = None, suggest_rebase: bool = False) -> MeasureChart:
    """Analyse a measure on its chart type (or ``chart``), with its recorded rebases.

    ``overrides``: for XmR, :class:`SPCOptions` fields (``rebase`` dates are added to the
    recorded ones); for the other charts, :class:`QIOptions` fields, where ``rebase`` dates
    become parts. Errors name the measure and the data point.
    """
    m = _measure(graph, measure_id)
    chart = chart or m.chart_type
    overrides = dict(overrides or {})
    if len(m.data) < 2:
        raise SPCInputError(f"measure {measure_id!r} has {len(m.data)} data point(s); a chart "
                            "needs at least 2 (and 12 or more to judge variation)")
    recorded = [p.date for p in m.data if p.rebase]
    extra = [d for d in overrides.pop("rebase", ()) or ()]
    if chart == XMR:
        opts = {"improvement_direction": m.direction, "target": m.target,
                **{k: v for k, v in overrides.items() if k not in QI_OPTION_KEYS}}
        opts["rebase"] = tuple(recorded) + tuple(extra)
        result: SPCResult | QIResult = analyse([p.date for p in m.data],
                                               [p.value for p in m.data], SPCOptions(**opts))
        group_start = result.latest_group.start_date
    else:
        n = None
        if chart in DENOMINATOR_CHARTS or _has_denominators(m):  # run / I charts of y / n too
            missing = [p.date.isoformat() for p in m.data if p.denominator is None]
            if missing:
                raise SPCInputError(
                    f"measure {measure_id!r}: a {chart} chart needs a denominator on every "
                    f"data point; none on {', '.join(missing[:5])}"
                    f"{' ...' if len(missing) > 5 else ''}")
            n = [p.denominator for p in m.data]
        dates = [p.date for p in m.data]
        from .results import _parse_date

        cuts = {i for i, p in enumerate(m.data) if p.rebase and i > 0}
        for d in extra:
            when = _parse_date(d, "rebase date")
            cuts |= {i for i, x in enumerate(dates) if x == when and i > 0}
        kw = {k: v for k, v in overrides.items() if k in QI_OPTION_KEYS and v is not None}
        kw["part"] = tuple(sorted(cuts | set(kw.get("part", ()))))
        kw.setdefault("multiply", multiplier(m, chart))
        result = qic(dates, [p.value for p in m.data], n, QIOptions(chart=chart, **kw))
        first = next(p for p in result.points if p.part == result.latest_part.part)
        group_start = first.x if not isinstance(first.x, int) else None
    marks = annotations(graph, measure_id)
    prompt = rebase_prompt(result, marks, group_start) if suggest_rebase else None
    return MeasureChart(m, result, marks, prompt)


def qi_point_types(result: QIResult, direction: str) -> list[str]:
    """A Making Data Count point type for each point of a qicharts2 chart: outside the limits,
    or in an unusually long run of the part (Anhøj), on the side better or worse for the
    measure's direction; else common cause. Excluded points are common cause."""
    sign = {"increase": 1, "decrease": -1}.get(direction, 0)
    long_runs: set[int] = set()
    for part in result.parts:
        if not part.signal:
            continue
        idx = [i for i, p in enumerate(result.points) if p.part == part.part and p.include]
        block: list[int] = []
        last = 0
        for i in idx + [-1]:
            p = result.points[i] if i >= 0 else None
            s = 0 if p is None or not math.isfinite(p.y - p.cl) else (p.y > p.cl) - (p.y < p.cl)
            if p is not None and s == 0:
                continue
            if s != last:
                if len(block) > (part.longest_run_max or 0) or (
                        part.ihi is not None and len(block) >= 6):
                    long_runs.update(block)
                block, last = [], s
            block.append(i)
    out = []
    for i, p in enumerate(result.points):
        side = 0
        if p.include and (p.sigma_signal or i in long_runs):
            side = 1 if p.y > p.cl else -1
        if side == 0:
            out.append(COMMON_CAUSE)
        elif sign == 0:
            out.append(SPECIAL_CAUSE_NEUTRAL_HIGH if side > 0 else SPECIAL_CAUSE_NEUTRAL_LOW)
        else:
            out.append(SPECIAL_CAUSE_IMPROVEMENT if side * sign > 0 else SPECIAL_CAUSE_CONCERN)
    return out


def qi_icons(result: QIResult, direction: str, target: float | None
             ) -> tuple[str | None, str | None]:
    """Variation and assurance icons for a control chart (none for a run chart): variation from
    the latest point's type, assurance from the target against the latest point's limits."""
    if result.chart == "run":
        return None, None
    types = qi_point_types(result, direction)
    last = result.points[-1]
    side = "high" if last.y > last.cl else "low"
    variation = {COMMON_CAUSE: "common_cause",
                 SPECIAL_CAUSE_IMPROVEMENT: f"improvement_{side}",
                 SPECIAL_CAUSE_CONCERN: f"concern_{side}",
                 SPECIAL_CAUSE_NEUTRAL_HIGH: "neutral_high",
                 SPECIAL_CAUSE_NEUTRAL_LOW: "neutral_low"}[types[-1]]
    if target is None or direction == "neutral":
        return variation, None
    lo, hi = last.lcl, last.ucl
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return variation, "inconsistent"
    if direction == "increase":
        assurance = "pass" if target <= lo else "fail" if target > hi else "inconsistent"
    else:
        assurance = "pass" if target >= hi else "fail" if target < lo else "inconsistent"
    return variation, assurance


def qi_summary(chart: MeasureChart) -> dict[str, Any]:
    """The SPC summary of :func:`qmsgraph.spc.graph.summary` for any chart type: icons and
    their labels, signals and per-point types (for at-risk propagation), and the latest
    centre line and limits."""
    from .results import ASSURANCE_ICON_LABELS, VARIATION_ICON_LABELS

    variation, assurance = chart.icons()
    r = chart.result
    if isinstance(r, SPCResult):
        d = r.to_dict()
        out = {k: v for k, v in d.items() if k not in ("points", "groups")}
        out["point_types"] = [p.point_type for p in r.points]
    else:
        last = r.points[-1]
        out = {"options": r.options.to_dict(), "mean": _clean(last.cl),
               "lpl": _clean(last.lcl), "upl": _clean(last.ucl),
               "variation_icon": variation, "assurance_icon": assurance,
               "variation_label": VARIATION_ICON_LABELS.get(variation or "") if variation
               else ("Run chart: " + ("signal" if r.latest_part.signal else "no signal")),
               "assurance_label": ASSURANCE_ICON_LABELS.get(assurance) if assurance else None,
               "signals": r.signals(), "warnings": list(r.warnings),
               "point_types": qi_point_types(r, chart.measure.direction)}
        out["variation_type"] = out["point_types"][-1]
        out["assurance_type"] = {"pass": "consistent_pass", "fail": "consistent_fail",
                                 "inconsistent": "inconsistent"}.get(assurance or "")
    out["chart_type"] = chart.chart_type
    out["last_date"] = chart.measure.data[-1].date.isoformat()
    out["n"] = len(chart.measure.data)
    return out


def _clean(x: float) -> float | None:
    return x if math.isfinite(x) else None


def board_facts(graph: QMSGraph, measure_id: str, last: int = 3) -> dict[str, Any]:
    """What the Board page shows beside a measure's icons: its chart (when not XmR), the last
    ``last`` annotations from the improvement work, and a rebase prompt when one is proposed."""
    from .qiresults import CHART_LABELS

    m = _measure(graph, measure_id)
    try:
        mc = measure_chart(graph, measure_id, suggest_rebase=True)
    except SPCInputError:
        return {"chart": None, "marks": [], "prompt": None}
    chart = None if mc.chart_type == XMR else CHART_LABELS[mc.chart_type]
    if isinstance(mc.result, QIResult) and mc.chart_type == "run":
        chart = f"{chart}: {mc.result.signals()[0]}"
    first = m.data[0].date
    marks = [a for a in mc.annotations if a.date >= first][-last:]
    prompt = mc.rebase_prompt
    return {"chart": chart, "marks": marks,
            "prompt": prompt.message if prompt is not None and prompt.proposed else None}
