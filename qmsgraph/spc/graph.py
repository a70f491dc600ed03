"""SPC results for the measures in a graph, stored with the measure and recomputed when its
data change (the cache key is a hash of the data, direction and target)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..errors import SPCInputError, ValidationError
from ..graph import QMSGraph
from ..model import Measure, Node
from ..stores import Store
from . import SPECIAL_CAUSE_CONCERN, SPCOptions, SPCResult, analyse

MIN_POINTS = 12  # fewer points than this: no SPC summary for the graph (too short to judge)


def _options(m: Measure, overrides: dict[str, Any] | None = None) -> SPCOptions:
    opts: dict[str, Any] = {"improvement_direction": m.direction, "target": m.target}
    opts.update(overrides or {})
    return SPCOptions(**opts)


def _measure(graph: QMSGraph, measure_id: str) -> Measure:
    node = graph.node(measure_id)
    if not isinstance(node, Measure):
        raise ValidationError(f"{measure_id!r} is a {node.kind}, not a Measure", field="measure")
    return node


def measure_spc(
    graph: QMSGraph, measure_id: str, overrides: dict[str, Any] | None = None
) -> SPCResult:
    """The full SPC analysis of one measure (options from the measure, plus overrides)."""
    return spc_of(_measure(graph, measure_id), overrides)


def spc_of(m: Node, overrides: dict[str, Any] | None = None) -> SPCResult:
    """The full SPC analysis of a measure node (options from it, plus overrides)."""
    if not isinstance(m, Measure):
        raise ValidationError(f"{m.id!r} is a {m.kind}, not a Measure", field="measure")
    measure_id = m.id
    if len(m.data) < 2:
        raise SPCInputError(
            f"measure {measure_id!r} has {len(m.data)} data point(s); an SPC "
            "chart needs at least 2 (and 12 or more to judge variation)"
        )
    return analyse([p.date for p in m.data], [p.value for p in m.data], _options(m, overrides))


def _hash(m: Measure) -> str:
    body = json.dumps([m.direction, m.target, [(p.date.isoformat(), p.value) for p in m.data]])
    if m.chart_type != "xmr" or any(p.denominator is not None or p.rebase for p in m.data):
        body += json.dumps([m.chart_type, m.unit_of_measure,
                            [(p.denominator, p.rebase) for p in m.data]])
    return hashlib.sha256(body.encode()).hexdigest()[:32]


def summary(graph: QMSGraph, measure_id: str, store: Store | None = None) -> dict[str, Any] | None:
    """Icons, limits and per-point types of a measure, cached in the embedded store.

    None when the measure has fewer than ``MIN_POINTS`` points.
    """
    m = _measure(graph, measure_id)
    if len(m.data) < MIN_POINTS:
        return None
    key = _hash(m)
    cache = store if hasattr(store, "get_derived") else None
    if cache is not None:
        hit = cache.get_derived(measure_id, "spc", key)
        if hit is not None:
            return hit
    if m.chart_type != "xmr" or any(p.rebase for p in m.data):
        from .measures import measure_chart, qi_summary  # the chart type the measure states

        out = qi_summary(measure_chart(graph, measure_id))
    else:
        r = spc_of(m)
        out = {k: v for k, v in r.to_dict().items() if k not in ("points", "groups")}
        out["point_types"] = [p.point_type for p in r.points]
        out["chart_type"] = "xmr"
    out["last_date"] = m.data[-1].date.isoformat()
    out["n"] = len(m.data)
    if cache is not None:
        cache.put_derived(measure_id, "spc", key, out)
    return out


def has_concern(s: dict[str, Any] | None, window: int) -> bool:
    return bool(s) and SPECIAL_CAUSE_CONCERN in s["point_types"][-window:]


def all_summaries(graph: QMSGraph, store: Store | None = None) -> dict[str, dict[str, Any]]:
    out = {}
    for m in graph.nodes("Measure"):
        s = summary(graph, m.id, store)
        if s is not None:
            out[m.id] = s
    return out


def concern_measures(graph: QMSGraph, window: int = 6, store: Store | None = None) -> set[str]:
    """Ids of measures with special-cause concern among their last ``window`` points."""
    return {mid for mid, s in all_summaries(graph, store).items() if has_concern(s, window)}
