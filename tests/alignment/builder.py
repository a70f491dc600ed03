"""Tiny graph builder for hand-made alignment tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from qmsgraph.graph import QMSGraph
from qmsgraph.model import make_node


class G:
    """``G().node("G1", "StrategicGoal").edge("G1", "serves", "P")`` ..."""

    def __init__(self) -> None:
        self.graph = QMSGraph()

    def node(self, nid: str, kind: str, **fields: Any) -> G:
        defaults: dict[str, Any] = {"Process": {"process_type": "mainstay"},
                                    "Measure": {"measure_type": "outcome"}}.get(kind, {})
        self.graph.add_node(make_node({"kind": kind, "id": nid, "label": fields.pop(
            "label", f"{kind} {nid}"), **defaults, **fields}))
        return self

    def edge(self, s: str, kind: str, t: str) -> G:
        self.graph.connect(s, kind, t)
        return self


def monthly(values: list[float], start: dt.date = dt.date(2023, 1, 1)) -> list[dict]:
    out = []
    y, m = start.year, start.month
    for v in values:
        out.append({"date": dt.date(y, m, 1), "value": v})
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


def base() -> G:
    """A clean organisation: purpose, one active goal with objective, a measured process,
    an owned and monitored measure, an aligned project led by a team, and a driver
    (planning) process owned by the directorate."""
    g = G()
    g.node("P", "Mission").node("G1", "StrategicGoal").node("O1", "Objective")
    g.node("org", "Organisation").node("dir", "Directorate").node("T1", "Team")
    g.node("PR1", "Process", process_type="mainstay").node(
        "M1", "Measure", data=monthly([5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6]))
    g.node("Q1", "ImprovementProject", status="active").node("dr", "Person")
    g.edge("G1", "serves", "P").edge("O1", "contributesTo", "G1")
    g.edge("dir", "unitOf", "org").edge("T1", "unitOf", "dir")
    g.edge("PR1", "supports", "O1").edge("M1", "indicates", "O1").edge("M1", "measures", "PR1")
    g.edge("T1", "owns", "M1").edge("T1", "owns", "PR1").edge("T1", "monitors", "M1")
    g.edge("Q1", "improves", "M1").edge("T1", "leads", "Q1").edge("dr", "sponsors", "Q1")
    g.edge("Q1", "alignsTo", "G1")
    # quality planning at the directorate: a driver process it owns (unit-without-planning)
    g.node("PR0", "Process", process_type="driver").edge("PR0", "supports", "G1")
    g.edge("dir", "owns", "PR0")
    return g
