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
from dataclasses import dataclass, field
from typing import Any

from pyvis.network import Network

from qmsgraph import schema
from qmsgraph.alignment import SEVERITY_ORDER, AlignmentConfig, AuditReport, Finding, audit
from qmsgraph.alignment.views import VIEWS, MapView, build_view
from qmsgraph.graph import QMSGraph

from . import page, style
from .clusters import _cluster_nodes, _clustered_layout, _plan_clusters
from .layout import Layout, driver_layout, layered_layout
from .legend import _legend
from .nodeinfo import (
    FONT_FACE,
    LinkMode,
    _by_node,
    _facts,
    _links,
    _short,
    _spc_info,
    _spc_line,
    _worst,
    concern_from_spc,
    priority,
    state_of,
    unit_index_for,
)

CLUSTER_THRESHOLD = 2000
"""Views with more nodes than this are clustered by unit (see the module docstring)."""


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

# ============================================================================ the map data

def map_data(graph: QMSGraph, view: str = "system", *, focus: str | None = None,
             unit: str | None = None, depth: int | None = None,
             report: AuditReport | None = None, spc: dict[str, dict[str, Any]] | None = None,
             links: LinkMode = "file", cluster_threshold: int = CLUSTER_THRESHOLD,
             content: MapView | None = None,
             progress: dict[str, Any] | None = None) -> MapData:
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
    full = (driver_layout(graph, mv.nodes, mv.edges, mv.focus) if mv.view == "driver"
            else layered_layout(graph, mv.nodes, mv.edges))
    if plan:
        lay, member_pos = _clustered_layout(graph, mv, plan, cluster_of, full)
    else:
        lay, member_pos = full, {}

    unit_index = unit_index_for(graph, mv.nodes)
    nodes: list[dict[str, Any]] = []
    kinds_seen: set[str] = set()
    spc_seen = False
    severities_seen: set[str] = set()
    states_seen: set[str] = set()
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
        state = state_of(node.kind, getattr(node, "status", None), spc.get(nid),
                         report.classification.get(nid), worst)
        states_seen.add(state)
        fill = style.STATES[state][0]
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
            "facts": _with_progress(_facts(graph, nid, report), (progress or {}).get(nid)),
            "findings": [[f.severity, f.rule, f.message] for f in own],
            "related": [[f.severity, f.rule, f.message] for f in rel if f not in own],
            "spc": spc_info, "role": role, "links": _links(graph, nid, links),
            "isGoal": node.kind in ("StrategicGoal", "Objective"),
            "state": state, "stateName": style.STATES[state][1],
            "status": getattr(node, "status", None) or "",
            "domains": list(getattr(node, "quality_domains", None) or []),
            "units": unit_index.get(nid, []),
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
            "info": info, "shortLabel": _short(node.label),
            "prio": priority(node.kind, state, nid == mv.focus, bool(worst)),
            "dim": findings_view and not worst and not worst_rel,
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
                     {k for _, k, _ in mv.edges}, bool(clusters), states_seen)
    return MapData(view=mv, nodes=nodes, edges=edges, clusters=clusters, layout=lay,
                   full_layout=full, findings=in_view_findings, legend=legend)

def _with_progress(facts: list[list[str]], p: Any) -> list[list[str]]:
    """A project's progress lines after its id and status (the panel's short list shows
    the first nine)."""
    if p is None:
        return facts
    from .board_progress import progress_facts

    facts = [f for f in facts if f[0] != "Progress recorded"]
    return facts[:2] + progress_facts(p) + facts[2:]


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
        # vis-network's own labels shrink with the zoom; map.js draws them at a readable
        # size where they fit (level of detail), so vis-network draws none of them
        "nodes": {"borderWidth": 1.5, "font": {"face": FONT_FACE},
                  "scaling": {"label": {"enabled": False, "drawThreshold": 10000}}},
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
               content: MapView | None = None,
               account: dict[str, Any] | None = None,
               progress: dict[str, Any] | None = None) -> str:
    """A complete, self-contained HTML page with the map (see the module docstring).

    ``report``: the audit to show (computed with the default configuration when None);
    ``spc``: measure id -> SPC summary (:func:`qmsgraph.spc.graph.all_summaries`) for the
    icons on measures; ``links``: "file" or "served" (how links are written).
    """
    data = map_data(graph, view, focus=focus, unit=unit, depth=depth, report=report, spc=spc,
                    links=links, cluster_threshold=cluster_threshold, content=content,
                    progress=progress)
    return render_page(data, title=title, links=links, account=account)


def render_page(data: MapData, *, title: str | None = None, links: LinkMode = "file",
                account: dict[str, Any] | None = None,
               progress: dict[str, Any] | None = None) -> str:
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
        "columns": [{"title": c.title, "x": c.x} for c in data.layout.columns],
        "minY": min((n["y"] for n in nodes), default=0),
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
        clustered=bool(data.clusters), links=links, account=account)
