"""Large maps: a unit's work collapsed into one node, stage by stage (see :mod:`.maps`)."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from qmsgraph import schema
from qmsgraph.alignment import Finding
from qmsgraph.alignment.views import MapView, thread_reach
from qmsgraph.graph import QMSGraph

from . import style
from .layout import DX, SUB_DY, Layout, layered_layout
from .nodeinfo import FONT_FACE, _short

PROJECT_KINDS = ("ImprovementProject", "PrimaryDriver", "SecondaryDriver", "ChangeIdea",
                 "PDSACycle")
OPERATION_KINDS = ("Process", "Service", "Measure")
STAGES: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    # (stage, kinds, the kind whose row holds the cluster nodes, aspect of the cluster)
    ("projects", PROJECT_KINDS, "ImprovementProject", "QI"),
    ("operations", OPERATION_KINDS, "Measure", "QC"),
)


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

