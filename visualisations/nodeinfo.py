"""What a map says about each node: its findings, facts, SPC icons, links and state
(the colour it is drawn in). Used by :mod:`.maps`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Literal
from urllib.parse import urlencode

from qmsgraph import schema
from qmsgraph.alignment import SEVERITY_ORDER, AuditReport, Finding
from qmsgraph.graph import QMSGraph
from qmsgraph.model import Measure

from . import style

LinkMode = Literal["file", "served"]
FONT_FACE = "Arial, 'Liberation Sans', 'DejaVu Sans', Helvetica, sans-serif"
LABEL_MAX = 60

# ============================================================================ findings

def _by_node(report: AuditReport | None) -> tuple[dict[str, list[Finding]],
                                                   dict[str, list[Finding]]]:
    direct: dict[str, list[Finding]] = defaultdict(list)
    related: dict[str, list[Finding]] = defaultdict(list)
    if report is None:
        return direct, related
    for f in report.findings:
        direct[f.node].append(f)
        for r in f.evidence.related:
            if r != f.node:
                related[r].append(f)
    return direct, related


def _worst(findings: list[Finding]) -> str | None:
    if not findings:
        return None
    return min((f.severity for f in findings), key=lambda s: SEVERITY_ORDER[s])


def concern_from_spc(spc: dict[str, dict[str, Any]] | None, window: int) -> set[str]:
    from qmsgraph.spc.graph import has_concern

    return {m for m, s in (spc or {}).items() if has_concern(s, window)}


# ============================================================================ node facts

def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return ", ".join(_fmt(x) for x in v)
    return str(v)


def _labels(graph: QMSGraph, ids: list[str]) -> str:
    return ", ".join(graph.node(i).label for i in sorted(ids))


FIELD_NAMES = {
    "status": "Status", "target": "Target", "deadline": "Deadline",
    "quality_domains": "Quality domains", "quadruple_aim": "Quadruple aim",
    "process_type": "Process type", "measure_type": "Measure type",
    "direction": "Better when", "unit_of_measure": "Unit", "frequency": "Frequency",
    "tier": "Tier", "method": "Method", "aim": "Aim", "start_date": "Start",
    "end_date": "End", "date": "Date", "rating": "Rating", "reference": "Reference",
    "publisher": "Publisher", "channel": "Channel", "enabler_type": "Enabler type",
    "progress_recorded": "Progress recorded",
}
DIRECTION_WORDS = {"increase": "higher", "decrease": "lower", "neutral": "neither (neutral)"}


def _facts(graph: QMSGraph, nid: str, report: AuditReport | None) -> list[list[str]]:
    node = graph.node(nid)
    facts: list[list[str]] = [["Id", nid]]
    for name, value in node.attributes().items():
        if name == "email":
            continue
        if name == "direction":
            value = DIRECTION_WORDS.get(value, value)
        facts.append([FIELD_NAMES.get(name, name), _fmt(value)])
    rel: list[tuple[str, str, bool]] = [  # (edge kind, heading, incoming?)
        ("owns", "Owner", True), ("leads", "Led by", True), ("sponsors", "Sponsor", True),
        ("delivers", "Delivered by", True), ("monitors", "Monitored by", True),
        ("improves", "Improved by", True), ("improves", "Improves", False),
        ("alignsTo", "Declares", False), ("unitOf", "Part of", False),
        ("memberOf", "Member of", False),
    ]
    ins: dict[str, list[str]] = defaultdict(list)
    outs: dict[str, list[str]] = defaultdict(list)
    for k, s in graph.in_keys(nid):
        ins[k].append(s)
    for k, t in graph.out_keys(nid):
        outs[k].append(t)
    for kind, heading, incoming in rel:
        ids = ins.get(kind) if incoming else outs.get(kind)
        if ids:
            facts.append([heading, _labels(graph, ids)])
    if isinstance(node, Measure) and node.data:
        last = node.data[-1]
        unit = f" {node.unit_of_measure}" if node.unit_of_measure else ""
        from qmsgraph.spc.measures import display_value  # a p/u chart: the rate

        facts.append(["Latest value", f"{display_value(node, last):g}{unit} "
                                      f"({last.date:%b %Y}), "
                                      f"{len(node.data)} points"])
    if report is not None and nid in report.classification:
        facts.append(["Alignment", report.classification[nid]])
    if node.description:
        d = node.description
        facts.append(["About", d if len(d) <= 300 else d[:297] + "\u2026"])
    return facts


def _spc_info(summary: dict[str, Any] | None) -> dict[str, Any] | None:
    if not summary:
        return None
    v = summary.get("variation_icon")
    a = summary.get("assurance_icon")
    sym, short, colour = style.VARIATION.get(v, ("", v or "", "#5d6b74"))
    info: dict[str, Any] = {
        "variation": v, "variationText": summary.get("variation_label") or short,
        "symbol": sym, "short": short, "colour": colour,
        "assurance": a, "assuranceText": summary.get("assurance_label"),
        "signals": list(summary.get("signals") or [])[:3],
    }
    if a in style.ASSURANCE:
        info["assuranceSymbol"] = style.ASSURANCE[a][0]
        info["assuranceShort"] = style.ASSURANCE[a][1]
    return info


def _spc_line(info: dict[str, Any] | None) -> str:
    if not info:
        return ""
    out = f"{info['symbol']} {info['short']}"
    if info.get("assuranceSymbol"):
        out += f" \u00b7 {info['assuranceSymbol']} {info['assuranceShort']}"
    return out


def _links(graph: QMSGraph, nid: str, mode: LinkMode) -> list[list[str]]:
    if mode != "served":
        return []
    kind = graph.node(nid).kind
    out = [["Golden thread", "map?" + urlencode({"view": "thread", "focus": nid})]]
    if kind in ("Measure", "ImprovementProject", "Process", "Objective"):
        out.append(["Thread and the work below it",
                    "map?" + urlencode({"view": "thread", "focus": nid, "depth": 3})])
    if kind == "ImprovementProject":
        out.append(["Driver diagram", "map?" + urlencode({"view": "driver", "focus": nid})])
    if kind in ("StrategicGoal", "Objective"):
        out.append(["Everything that contributes",
                    "map?" + urlencode({"view": "goal", "focus": nid})])
    if schema.is_a(kind, "OrganisationalUnit"):
        out.append(["Unit map", "map?" + urlencode({"view": "unit", "unit": nid})])
        out.append(["Unit findings", "map?" + urlencode({"view": "findings", "unit": nid})])
    return out


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[:LABEL_MAX - 1] + "\u2026"



def state_of(kind: str, status: str | None, spc: dict[str, Any] | None,
             verdict: str | None, worst: str | None) -> str:
    """The state a node is coloured by (:data:`style.STATES`): a measure's SPC variation, a
    project's alignment verdict, otherwise the worst severity of its own findings."""
    if kind == "Measure":
        icon = (spc or {}).get("variation_icon") or ""
        if not spc:
            return "nochart"
        if icon.startswith("concern"):
            return "concern"
        if icon.startswith("improvement"):
            return "improvement"
        if icon.startswith("neutral"):
            return "neutral"
        return "common"
    if status in style.INACTIVE_STATUSES:
        return "inactive"
    if kind == "ImprovementProject" and verdict in ("aligned", "misaligned", "orphaned",
                                                    "weak", "locally-aligned"):
        return verdict
    if worst in ("error", "warning"):
        return worst
    if kind in ("StrategicGoal", "Objective"):
        return "goal"
    return "ok"


def priority(kind: str, state: str, focus: bool, flagged: bool) -> int:
    """Which labels win when they would overlap (higher first)."""
    p = 60 - 3 * style.ROW_OF_KIND.get(kind, 15)
    if kind == "StrategicGoal":
        p += 70
    elif kind in ("Purpose", "Mission", "Organisation"):
        p += 40
    if state in ("concern", "orphaned", "error", "misaligned"):
        p += 25
    if flagged:
        p += 15
    if focus:
        p += 200
    return p


def unit_index_for(graph: QMSGraph, nodes: list[str]) -> dict[str, list[str]]:
    """The unit(s) each node belongs to, for the map's unit filter: a unit itself, or the
    units that own, lead, deliver or monitor it."""
    out: dict[str, list[str]] = {}
    for nid in nodes:
        kind = graph.kind(nid)
        if schema.is_a(kind, "OrganisationalUnit"):
            out[nid] = [nid]
            continue
        units: set[str] = set()
        for k, s in graph.in_keys(nid):
            if k in ("owns", "leads", "delivers", "monitors") and \
                    schema.is_a(graph.kind(s), "OrganisationalUnit"):
                units.add(s)
        if units:
            out[nid] = sorted(units)
    return out
