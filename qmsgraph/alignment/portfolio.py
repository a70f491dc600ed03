"""Portfolio views: units with the units below them, the QP/QC/QA/QI balance per unit, alignment
scores, the strategy deployment X-matrix.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np

from ..graph import QMSGraph
from .config import AlignmentConfig
from .index import (
    ASPECTS,
    KIND_CODE,
    PROJECT_STATUS,
    UNIT_CODES,
    _balance_arrays,
    index_of,
    unit_tree,
)
from .results import AuditReport, MatrixCell, Score, XMatrix
from .rules import audit


def balance(graph: QMSGraph, config: AlignmentConfig | None = None
            ) -> dict[str, dict[str, int]]:
    """Activity per unit (with the units below it) in each QMS aspect.

    QP: services delivered, driver processes owned and planning tools used; QC: measures
    monitored or owned, mainstay/support processes owned and control tools used; QA:
    assurance activities led and assurance tools used; QI: live projects led and improvement
    tools used.
    """
    cfg = config or AlignmentConfig()
    ix = index_of(graph)
    units, total = _balance_arrays(graph, ix, cfg)
    return dict(sorted((ix.ids[u], dict(zip(ASPECTS, map(int, total[u]), strict=True)))
                       for u in units.tolist()))


def scores(graph: QMSGraph, config: AlignmentConfig | None = None,
           report: AuditReport | None = None) -> dict[str, Any]:
    """Alignment score per unit and overall.

    score = 100 x (aligned work items) / (work items), where work items are the unit's
    live projects (led by it or a unit below it), and the processes and measures it owns;
    an item is aligned when it reaches an active goal and has no declared-not-evidenced
    finding.
    """
    cfg = config or AlignmentConfig()
    report = report or audit(graph, cfg)
    ix = index_of(graph)
    reach_active = (ix.masks & ix.active_bits[ix.comp]).any(axis=1) if len(ix.ids) else []
    declared_bad = {f.node for f in report.findings if f.rule == "declared-not-evidenced"}

    def aligned(nid: str) -> bool:
        return bool(reach_active[ix.pos[nid]]) and nid not in declared_bad

    ids = ix.ids
    is_unit = np.isin(ix.kind, UNIT_CODES)
    live = (ix.kind == KIND_CODE["ImprovementProject"]) & np.isin(
        ix.project_status, [PROJECT_STATUS.index(x) for x in cfg.work_statuses])
    owned = np.isin(ix.kind, [KIND_CODE["Process"], KIND_CODE["Measure"]])
    items: dict[str, set[str]] = defaultdict(set)
    for edge, target in (("leads", live), ("owns", owned)):
        s, t = ix.edges[edge]
        keep = is_unit[s] & target[t]
        for a_, b_ in zip(s[keep].tolist(), t[keep].tolist(), strict=True):
            items[ids[a_]].add(ids[b_])
    units = []
    for unit, members in sorted(unit_tree(graph).items()):  # by id: the same on every store
        work = set().union(*(items.get(m, set()) for m in members))
        a = sum(aligned(w) for w in work)
        units.append(Score(unit=unit, label=graph.label(unit), aligned=a,
                           total=len(work), score=round(100 * a / len(work), 1)
                           if work else None))
    all_work = [ids[i] for i in np.flatnonzero(owned | live).tolist()]
    a = sum(aligned(w) for w in all_work)
    overall = Score(unit="*", label="whole organisation", aligned=a, total=len(all_work),
                    score=round(100 * a / len(all_work), 1) if all_work else None)
    return {"overall": overall, "units": units,
            "formula": "score = 100 x aligned work items / work items (live projects led, "
                       "processes and measures owned, including units below)"}


def matrix(graph: QMSGraph, config: AlignmentConfig | None = None) -> XMatrix:
    """Strategy deployment X-matrix: goals x live projects and goals x measures."""
    cfg = config or AlignmentConfig()
    ix = index_of(graph)
    goals = sorted(graph.nodes("StrategicGoal"), key=lambda g: g.id)
    projects = sorted((p for p in graph.nodes("ImprovementProject")
                       if p.status in cfg.work_statuses), key=lambda p: p.id)
    measures = sorted(graph.nodes("Measure"), key=lambda m: m.id)
    declared = {(s, t) for s, _, t in graph.edge_keys("alignsTo")}
    gpos = np.array([ix.pos[g.id] for g in goals], dtype=np.int64)

    def cells(rows: list[Any]) -> tuple[list[MatrixCell], Counter[str], set[str]]:
        out, per_goal, rowless = [], Counter(), set()
        for r in rows:
            rp = np.full(len(gpos), ix.pos[r.id], dtype=np.int64)
            hit = ix.has_bit(rp, gpos) if len(gpos) else np.zeros(0, bool)
            any_hit = False
            for g, h in zip(goals, hit.tolist(), strict=True):
                d = (r.id, g.id) in declared
                if h or d:
                    out.append(MatrixCell(row=r.id, goal=g.id, reaches=h, declared=d))
                if h:
                    per_goal[g.id] += 1
                    any_hit = any_hit or g.status == "active"
            if not any_hit:
                rowless.add(r.id)
        return out, per_goal, rowless

    pcells, pcount, p_none = cells(projects)
    mcells, mcount, m_none = cells(measures)
    return XMatrix(
        goals=[{"id": g.id, "label": g.label, "status": g.status, "projects": pcount[g.id],
                "measures": mcount[g.id]} for g in goals],
        projects=[{"id": p.id, "label": p.label, "status": p.status} for p in projects],
        measures=[{"id": m.id, "label": m.label, "type": m.measure_type} for m in measures],
        project_cells=pcells, measure_cells=mcells,
        gaps={"goals_without_projects": [g.id for g in goals if g.status == "active"
                                         and not pcount[g.id]],
              "goals_without_measures": [g.id for g in goals if g.status == "active"
                                         and not mcount[g.id]],
              "projects_without_active_goal": sorted(p_none),
              "measures_without_active_goal": sorted(m_none)})
