"""Interactive system maps for leaders: self-contained HTML pages drawn with vis-network
through pyvis.

``render_map(graph, view, ...)`` returns one HTML page. Views (see
:mod:`qmsgraph.alignment.views`): ``system``, ``unit``, ``thread``, ``goal``, ``findings``.
Every node has a fixed position from the layered layout (:mod:`.layout`); physics is off, so
the page opens at once even at 5,000 nodes.

Large maps
----------
Above :data:`CLUSTER_THRESHOLD` nodes in a view, work is collapsed by unit, in stages, until
at most that many nodes are drawn (or every stage is used):

1. each unit's improvement projects, with their driver diagrams and PDSA cycles, become one
   cluster node per leading unit ("Ward 7: 23 projects");
2. each unit's processes, services and measures become one cluster node per owning unit.

Nodes with a finding (in the findings view), the focus and thread break points are never
collapsed. A cluster opens with a double-click (or its "Expand" button, or when a search or
a link selects one of its members); "Expand all" opens every one. The page tells how many
nodes it draws: ``#map[data-node-count]`` is the number of nodes in the view,
``#map[data-drawn-count]`` the number drawn at first (after clustering), and
``window.qmsgraphMap`` exposes ``network``, ``nodes`` and ``edges`` (vis DataSets).

Links
-----
``links="file"`` (the default, for pages written to disk): the page reads ``?focus=ID`` from
its own address and selects that node, so ``map.html?focus=ID`` opens the map at the node.
``links="served"`` (pages served by :mod:`.routes`): the details panel also links to the
other views, relative to the page: ``map?view=thread&focus=ID``, ``map?view=goal&focus=ID``,
``map?view=unit&unit=ID``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

from pyvis.network import Network

from qmsgraph import schema
from qmsgraph.alignment import SEVERITY_ORDER, AlignmentConfig, AuditReport, Finding, audit
from qmsgraph.alignment.views import VIEWS, MapView, build_view, thread_reach
from qmsgraph.graph import QMSGraph
from qmsgraph.model import Measure

from . import page, style
from .layout import DX, SUB_DY, Layout, layered_layout

CLUSTER_THRESHOLD = 2000
"""Views with more nodes than this are clustered by unit (see the module docstring)."""

LinkMode = Literal["file", "served"]
FONT_FACE = "Arial, 'Liberation Sans', 'DejaVu Sans', Helvetica, sans-serif"
LABEL_MAX = 60

PROJECT_KINDS = ("ImprovementProject", "PrimaryDriver", "SecondaryDriver", "ChangeIdea",
                 "PDSACycle")
OPERATION_KINDS = ("Process", "Service", "Measure")
STAGES: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    # (stage, kinds, the kind whose row holds the cluster nodes, aspect of the cluster)
    ("projects", PROJECT_KINDS, "ImprovementProject", "QI"),
    ("operations", OPERATION_KINDS, "Measure", "QC"),
)


class _FastIds(list):
    """pyvis keeps node ids in a list and tests membership for every node and edge added;
    a set beside the list keeps that O(1) for 5,000-node maps."""

    def __init__(self) -> None:
        super().__init__()
        self._set: set[Any] = set()

    def append(self, item: Any) -> None:
        super().append(item)
        self._set.add(item)

    def __contains__(self, item: object) -> bool:
        return item in self._set


@dataclass
class MapData:
    """Everything a map page draws, before it becomes HTML."""

    view: MapView
    nodes: list[dict[str, Any]]
    edges: list[list[str]]
    clusters: list[dict[str, Any]]
    layout: Layout
    full_layout: Layout
    findings: list[Finding] = field(default_factory=list)
    legend: dict[str, Any] = field(default_factory=dict)

    @property
    def node_count(self) -> int:
        """Nodes in the view (all of them, clustered or not)."""
        return len(self.nodes)

    @property
    def edge_count(self) -> int:
        return len(self.edges)

    @property
    def drawn_count(self) -> int:
        """Nodes drawn when the page opens: unclustered nodes plus one per cluster."""
        clustered = sum(len(c["members"]) for c in self.clusters)
        return len(self.nodes) - clustered + len(self.clusters)


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

        facts.append(["Latest value", f"{display_value(node, last):g}{unit} ({last.date:%b %Y}), "
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
    if kind in ("StrategicGoal", "Objective"):
        out.append(["Everything that contributes",
                    "map?" + urlencode({"view": "goal", "focus": nid})])
    if schema.is_a(kind, "OrganisationalUnit"):
        out.append(["Unit map", "map?" + urlencode({"view": "unit", "unit": nid})])
        out.append(["Unit findings", "map?" + urlencode({"view": "findings", "unit": nid})])
    return out


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[:LABEL_MAX - 1] + "\u2026"


# ============================================================================ clustering

def _unit_of(graph: QMSGraph, nid: str, kinds: tuple[str, ...]) -> str | None:
    units = sorted(s for s in graph.predecessors(nid, kinds[0])
                   if schema.is_a(graph.kind(s), "OrganisationalUnit"))
    for extra in kinds[1:]:
        if units:
            break
        units = sorted(s for s in graph.predecessors(nid, extra)
                       if schema.is_a(graph.kind(s), "OrganisationalUnit"))
    return units[0] if units else None


def _plan_clusters(graph: QMSGraph, mv: MapView, protected: set[str],
                   threshold: int) -> list[tuple[str, str, str | None, list[str]]]:
    """(stage, cluster id, unit, members) for each cluster, stage by stage."""
    nodes = set(mv.nodes)
    drawn = len(nodes)
    taken: set[str] = set()
    out: list[tuple[str, str, str | None, list[str]]] = []
    if drawn <= threshold:
        return out
    project_unit: dict[str, str | None] = {}
    for stage, kinds, _, _ in STAGES:
        if drawn <= threshold:
            break
        groups: dict[str, list[str]] = defaultdict(list)
        for nid in sorted(nodes - taken - protected):
            kind = graph.kind(nid)
            if kind not in kinds:
                continue
            if kind == "ImprovementProject":
                unit = project_unit.setdefault(nid, _unit_of(graph, nid, ("leads",)))
            elif stage == "projects":
                reach = thread_reach(graph, [nid], max_steps=4)
                projects = sorted((d, p) for p, d in reach.items()
                                  if graph.kind(p) == "ImprovementProject")
                unit = None
                if projects:
                    p = projects[0][1]
                    unit = project_unit.setdefault(p, _unit_of(graph, p, ("leads",)))
            elif kind == "Service":
                unit = _unit_of(graph, nid, ("delivers", "owns"))
            else:
                unit = _unit_of(graph, nid, ("owns", "monitors"))
            if unit is not None:
                groups[unit].append(nid)
        for unit, members in sorted(groups.items()):
            if len(members) < 2:
                continue
            cid = f"cluster:{stage}:{unit}"
            out.append((stage, cid, unit, members))
            taken.update(members)
            drawn -= len(members) - 1
    return out


# ============================================================================ the map data

def map_data(graph: QMSGraph, view: str = "system", *, focus: str | None = None,
             unit: str | None = None, depth: int | None = None,
             report: AuditReport | None = None, spc: dict[str, dict[str, Any]] | None = None,
             links: LinkMode = "file", cluster_threshold: int = CLUSTER_THRESHOLD,
             content: MapView | None = None) -> MapData:
    """The nodes (vis-network dicts with fixed x/y), edges and clusters of a map.
    ``content``: the view's nodes and edges as the store gave them
    (:meth:`~qmsgraph.stores.Store.map_view`); worked out from ``graph`` when None."""
    mv = content or build_view(graph, view, focus=focus, unit=unit, depth=depth)
    if report is None:
        cfg = AlignmentConfig()
        report = audit(graph, cfg, concern_from_spc(spc, cfg.concern_window))
    spc = spc or {}
    direct, related = _by_node(report)
    in_view = set(mv.nodes)
    findings_view = mv.view == "findings"
    flagged = {n for n in in_view if direct.get(n) or related.get(n)}
    protected = set(mv.breaks) | ({mv.focus} if mv.focus else set())
    if findings_view:
        protected |= flagged
    plan = _plan_clusters(graph, mv, protected, cluster_threshold)
    cluster_of = {m: cid for _, cid, _, members in plan for m in members}
    full = layered_layout(graph, mv.nodes, mv.edges)
    if plan:
        lay, member_pos = _clustered_layout(graph, mv, plan, cluster_of, full)
    else:
        lay, member_pos = full, {}

    nodes: list[dict[str, Any]] = []
    kinds_seen: set[str] = set()
    spc_seen = False
    severities_seen: set[str] = set()
    for nid in mv.nodes:
        node = graph.node(nid)
        kinds_seen.add(node.kind)
        shape, size = style.SHAPES[node.kind]
        fill = style.aspect_colour(node.kind)
        border = "#212b32"
        border_width = 1.5
        font_colour = style.FONT_COLOUR
        font_size = 18 if node.kind in ("StrategicGoal", "Mission", "Vision", "Purpose",
                                        "Organisation", "HealthSystem") else 14
        label = _short(node.label)
        dashes: list[int] | bool = False
        own = sorted(direct.get(nid, []), key=lambda f: (SEVERITY_ORDER[f.severity], f.rule))
        rel = sorted(related.get(nid, []), key=lambda f: (SEVERITY_ORDER[f.severity], f.rule))
        worst = _worst(own)
        worst_rel = _worst(rel)
        role = None
        spc_info = _spc_info(spc.get(nid)) if node.kind == "Measure" else None
        if spc_info:
            spc_seen = True
            label += "\n" + _spc_line(spc_info)
        if worst:
            severities_seen.add(worst)
            border = style.SEVERITY_COLOURS[worst]
            border_width = 4
            label = f"{style.SEVERITY_BADGES[worst]} {label}"
        if findings_view:
            if worst:
                border_width = 7
                size = round(size * 1.5)
                font_size += 2
                label += f"\n{', '.join(sorted({f.rule for f in own}))}"
            elif worst_rel:
                severities_seen.add(worst_rel)
                border = style.SEVERITY_COLOURS[worst_rel]
                border_width = 4
                dashes = [5, 4]
                size = round(size * 1.2)
            else:
                fill = style.lighten(fill, 0.78)
                border = style.MUTED_BORDER
                font_colour = style.MUTED_FONT
                size = round(size * 0.8)
                font_size -= 2
        if nid == mv.focus:
            role = "focus"
            size = round(size * 1.4)
            border = style.FOCUS_COLOUR if not worst else border
            border_width = max(border_width, 5)
            font_size += 2
        if nid in mv.breaks:
            role = "break"
            border = style.BREAK_COLOUR
            border_width = 7
            dashes = [6, 4]
            label = f"\u2702 {label}\nthread breaks here"
        x, y = member_pos[nid] if nid in member_pos else lay.pos[nid]
        info = {
            "name": node.label, "kind": style.KIND_NAMES[node.kind], "rawKind": node.kind,
            "aspect": schema.aspect(node.kind),
            "aspectName": style.ASPECTS[schema.aspect(node.kind)][0],
            "facts": _facts(graph, nid, report),
            "findings": [[f.severity, f.rule, f.message] for f in own],
            "related": [[f.severity, f.rule, f.message] for f in rel if f not in own],
            "spc": spc_info, "role": role, "links": _links(graph, nid, links),
            "isGoal": node.kind in ("StrategicGoal", "Objective"),
        }
        vis: dict[str, Any] = {
            "id": nid, "label": label, "shape": shape, "size": size, "x": x, "y": y,
            "color": {"background": fill, "border": border,
                      "highlight": {"background": fill, "border": "#212b32"},
                      "hover": {"background": fill, "border": "#212b32"}},
            "borderWidth": border_width, "borderWidthSelected": border_width + 2,
            "font": {"size": font_size, "color": font_colour, "face": FONT_FACE,
                     "strokeWidth": 4, "strokeColor": "#ffffff"},
            "widthConstraint": {"maximum": 175},
            "info": info,
        }
        if dashes:
            vis["shapeProperties"] = {"borderDashes": dashes}
        if nid in cluster_of:
            vis["cluster"] = cluster_of[nid]
        if plan:
            vis["fx"], vis["fy"] = full.pos[nid]
        nodes.append(vis)

    clusters = _cluster_nodes(graph, plan, lay, direct)
    edges = [[s, t, k] for s, k, t in mv.edges]
    in_view_findings = sorted((f for f in report.findings if f.node in in_view),
                              key=lambda f: (SEVERITY_ORDER[f.severity], f.rule, f.node))
    legend = _legend(kinds_seen, mv, spc_seen, severities_seen, findings_view,
                     {k for _, k, _ in mv.edges}, bool(clusters))
    return MapData(view=mv, nodes=nodes, edges=edges, clusters=clusters, layout=lay,
                   full_layout=full, findings=in_view_findings, legend=legend)


def _clustered_layout(graph: QMSGraph, mv: MapView,
                      plan: list[tuple[str, str, str | None, list[str]]],
                      cluster_of: dict[str, str], full: Layout
                      ) -> tuple[Layout, dict[str, tuple[float, float]]]:
    """Lay out what is drawn at first (cluster nodes in their members' row), and put each
    cluster's members in a small grid just below it, for when it is opened."""
    row_kind = {stage: kind for stage, _, kind, _ in STAGES}
    kinds = {cid: row_kind[stage] for stage, cid, _, _ in plan}

    def vis(n: str) -> str:
        return cluster_of.get(n, n)

    drawn = [n for n in mv.nodes if n not in cluster_of] + [cid for _, cid, _, _ in plan]
    agg = sorted({(vis(s), k, vis(t)) for s, k, t in mv.edges if vis(s) != vis(t)})
    lay = layered_layout(graph, drawn, agg, kinds=kinds)
    member_pos: dict[str, tuple[float, float]] = {}
    for _, cid, _, members in plan:
        cx, cy = lay.pos[cid]
        ordered = sorted(members, key=lambda m: (full.pos[m][0], full.pos[m][1], m))
        cols = math.ceil(math.sqrt(len(ordered)))
        for j, m in enumerate(ordered):
            col, row = j % cols, j // cols
            member_pos[m] = (round(cx + (col - (cols - 1) / 2) * DX * 0.8, 1),
                             round(cy + (row + 1) * SUB_DY * 0.9, 1))
    return lay, member_pos


def _cluster_nodes(graph: QMSGraph, plan: list[tuple[str, str, str | None, list[str]]],
                   lay: Layout, direct: dict[str, list[Finding]]) -> list[dict[str, Any]]:
    if not plan:
        return []
    aspect_of_stage = {stage: a for stage, _, _, a in STAGES}
    out = []
    for stage, cid, unit, members in plan:
        unit_label = graph.node(unit).label if unit else "no unit"
        counts: dict[str, int] = defaultdict(int)
        for m in members:
            counts[graph.kind(m)] += 1
        main = counts.get("ImprovementProject", 0) if stage == "projects" else len(members)
        what = (f"{main} project{'s' if main != 1 else ''}" if stage == "projects"
                else f"{main} processes & measures")
        contents = ", ".join(f"{n} {style.KIND_NAMES[k].lower()}{'s' if n != 1 else ''}"
                             for k, n in sorted(counts.items()))
        n_flag = sum(1 for m in members if direct.get(m))
        colour = style.ASPECTS[aspect_of_stage[stage]][1]
        facts = [["Unit", unit_label], ["Contains", contents]]
        if n_flag:
            facts.append(["Findings", f"{n_flag} item(s) inside have findings"])
        x, y = lay.pos[cid]
        out.append({
            "id": cid, "label": f"{_short(unit_label)}\n{what}", "shape": "box",
            "x": x, "y": y,
            "color": {"background": style.lighten(colour, 0.8), "border": colour,
                      "highlight": {"background": style.lighten(colour, 0.6),
                                    "border": "#212b32"},
                      "hover": {"background": style.lighten(colour, 0.6),
                                "border": "#212b32"}},
            "borderWidth": 2, "borderWidthSelected": 4,
            "shapeProperties": {"borderRadius": 4},
            "margin": 8,
            "font": {"size": 14, "color": style.FONT_COLOUR, "face": FONT_FACE},
            "widthConstraint": {"maximum": 170},
            "members": members,
            "info": {"name": f"{unit_label}: {what}", "kind": "Cluster", "rawKind": "Cluster",
                     "aspect": aspect_of_stage[stage],
                     "aspectName": style.ASPECTS[aspect_of_stage[stage]][0], "facts": facts,
                     "findings": [], "related": [], "spc": None, "role": "cluster",
                     "links": [], "isGoal": False, "count": len(members)},
        })
    return out


def _legend(kinds: set[str], mv: MapView, spc_seen: bool, severities: set[str],
            findings_view: bool, edge_kinds: set[str], clustered: bool) -> dict[str, Any]:
    entries = []
    for row in style.ROWS:
        for k in row.kinds:
            if k in kinds:
                shape, _ = style.SHAPES[k]
                entries.append({"svg": page.shape_svg(shape, style.aspect_colour(k)),
                                "text": style.KIND_NAMES[k],
                                "aspect": schema.aspect(k)})
    aspects = sorted({e["aspect"] for e in entries},
                     key=lambda a: list(style.ASPECTS).index(a))
    aspect_entries = [{"svg": page.shape_svg("square", style.ASPECTS[a][1]),
                       "text": f"{style.ASPECTS[a][0]} ({a})"} for a in aspects]
    marks = []
    for sev in ("error", "warning", "info"):
        if sev in severities:
            marks.append({"svg": page.shape_svg("dot", "#ffffff",
                                                style.SEVERITY_COLOURS[sev], stroke_width=4),
                          "text": f"{style.SEVERITY_BADGES[sev]} "
                                  f"{style.SEVERITY_WORDS[sev]}: has a finding of this "
                                  "severity (border colour and badge)"})
    if findings_view:
        marks.append({"svg": page.shape_svg("dot", "#ffffff", style.SEVERITY_COLOURS["warning"],
                                            dashed=True, stroke_width=3),
                      "text": "Dashed border: involved in another item's finding"})
        marks.append({"svg": page.shape_svg("dot", style.MUTED_FILL, style.MUTED_BORDER),
                      "text": "Muted: no finding"})
    if mv.focus:
        marks.append({"svg": page.shape_svg("dot", "#ffffff", style.FOCUS_COLOUR,
                                            stroke_width=4),
                      "text": "Bold outline, larger: the item this map is about"})
    if mv.breaks:
        marks.append({"svg": page.shape_svg("dot", "#ffffff", style.BREAK_COLOUR,
                                            dashed=True, stroke_width=4),
                      "text": "\u2702 Red dashed border: the golden thread breaks here"})
    if clustered:
        marks.append({"svg": page.shape_svg("box", style.lighten("#ed8b00", 0.8), "#ed8b00"),
                      "text": "Box: a unit's work collapsed into one node; double-click "
                              "(or Expand) to open"})
    spc_entries = []
    if spc_seen:
        for icon, (sym, short, _) in style.VARIATION.items():
            spc_entries.append({"symbol": sym, "text": f"{short} ({icon})"})
        for icon, (sym, short, _) in style.ASSURANCE.items():
            spc_entries.append({"symbol": sym, "text": f"assurance: {short} ({icon})"})
    edge_entries = []
    classes = {style.edge_class(k) for k in edge_kinds}
    texts = {"thread": "Golden thread link (points towards the purpose)",
             "unitOf": "Unit structure (part of)",
             "alignsTo": "Declared priority (what the work says it serves)",
             "other": "Other relation (assures, informs, risk, standard ...)"}
    for cls in ("thread", "unitOf", "alignsTo", "other"):
        if cls in classes:
            colour, width, dashed = style.EDGE_STYLES[cls]
            edge_entries.append({"svg": page.shape_svg("line", "none", colour, dashed=dashed,
                                                       stroke_width=max(width, 1.5)),
                                 "text": texts[cls]})
    return {"kinds": entries, "aspects": aspect_entries, "marks": marks, "spc": spc_entries,
            "edges": edge_entries}


# ============================================================================ the page

def _edge_styles() -> dict[str, dict[str, Any]]:
    out = {}
    for k, e in schema.EDGE_KINDS.items():
        colour, width, dashed = style.EDGE_STYLES[style.edge_class(k)]
        out[k] = {"color": colour, "width": width, "dashes": dashed, "label": e.label,
                  "thread": e.thread}
    return out


def vis_options(n_drawn: int) -> dict[str, Any]:
    big = n_drawn > 500
    return {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "hierarchical": {"enabled": False}},
        "edges": {"smooth": False, "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
                  "selectionWidth": 1.5, "hoverWidth": 0.5},
        "nodes": {"borderWidth": 1.5, "font": {"face": FONT_FACE}},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": big,
                        "hideEdgesOnZoom": big, "navigationButtons": False,
                        "keyboard": {"enabled": True, "bindToWindow": False},
                        "multiselect": False, "zoomSpeed": 0.8},
    }


def build_network(data: MapData) -> Network:
    """A pyvis Network holding the map's nodes, edges and options."""
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line",
                  heading="")
    net.node_ids = _FastIds()
    for n in data.nodes:
        opts = {k: v for k, v in n.items() if k not in ("id", "label", "shape", "color")}
        net.add_node(n["id"], label=n["label"], shape=n["shape"], color=n["color"], **opts)
    for s, t, k in data.edges:
        net.add_edge(s, t, kind=k)
    net.options = vis_options(data.drawn_count)
    return net


def render_map(graph: QMSGraph, view: str = "system", *, focus: str | None = None,
               unit: str | None = None, depth: int | None = None,
               report: AuditReport | None = None, spc: dict[str, dict[str, Any]] | None = None,
               title: str | None = None, links: LinkMode = "file",
               cluster_threshold: int = CLUSTER_THRESHOLD,
               content: MapView | None = None) -> str:
    """A complete, self-contained HTML page with the map (see the module docstring).

    ``report``: the audit to show (computed with the default configuration when None);
    ``spc``: measure id -> SPC summary (:func:`qmsgraph.spc.graph.all_summaries`) for the
    icons on measures; ``links``: "file" or "served" (how links are written).
    """
    data = map_data(graph, view, focus=focus, unit=unit, depth=depth, report=report, spc=spc,
                    links=links, cluster_threshold=cluster_threshold, content=content)
    return render_page(data, title=title, links=links)


def render_page(data: MapData, *, title: str | None = None, links: LinkMode = "file") -> str:
    net = build_network(data)
    nodes, edges, _heading, _h, _w, options = net.get_network_data()
    mv = data.view
    rows = [{"title": r.title, "y": r.y} for r in data.layout.rows]
    full_rows = [{"title": r.title, "y": r.y} for r in data.full_layout.rows]
    xs = [n["x"] for n in nodes] + [c["x"] for c in data.clusters]
    full_xs = [p[0] for p in data.full_layout.pos.values()] or [0]
    payload = {
        "view": mv.view, "focus": mv.focus, "links": links,
        "nodes": nodes,
        "edges": [[e["from"], e["to"], e["kind"]] for e in edges],
        "clusters": data.clusters,
        "edgeStyles": _edge_styles(),
        "options": options if isinstance(options, dict) else json.loads(options),
        "rows": rows, "minX": min(xs) if xs else 0,
        "fullRows": full_rows, "fullMinX": min(full_xs),
        "counts": {"nodes": data.node_count, "drawn": data.drawn_count,
                   "edges": data.edge_count},
    }
    heading = title or mv.title
    findings = [{"node": f.node, "label": f.label, "rule": f.rule, "severity": f.severity,
                 "badge": style.SEVERITY_BADGES[f.severity], "message": f.message}
                for f in data.findings]
    return page.render(
        "map.html", title=heading, view=mv, views=VIEWS, data_json=page.script_json(payload),
        counts=payload["counts"], legend=data.legend, findings=findings[:300],
        more_findings=max(0, len(findings) - 300), vis_js=page.vis_js(),
        vis_css=page.vis_css(), generated=dt.date.today().isoformat(),
        clustered=bool(data.clusters), links=links)
