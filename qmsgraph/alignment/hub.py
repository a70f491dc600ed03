"""The QI hub's portfolio: one row per project with its unit, status, progress level and
evidence, measure family, alignment verdict and overlaps; totals per goal and per unit.

* **Unit**: the units leading the project (``leads``); the unit filter takes a unit with
  every unit below it (``unitOf``).
* **Progress**: :mod:`.progress` (the IHI 0.5-5 scale from the evidence).
* **Measure family**: which of outcome, process and balancing measures the project (or its
  change ideas) improves; a balanced family has all three (the Model for Improvement's
  family of measures).
* **Verdict**: the audit's classification for live projects (aligned, misaligned,
  orphaned); completed and stopped projects get the same test on their thread (reaches an
  active goal: aligned; only inactive ones: misaligned; none: orphaned).
* **Overlaps**: the other projects of each ``duplicated-effort`` finding it is part of.
* **Goal totals**: projects whose thread reaches the goal, by status, their mean progress,
  and the types of the measures that reach the goal: a goal whose measures are all of one
  type (say outcome only) is flagged ``one_type_only``, and ``missing`` names the family
  members it lacks.
* **Unit totals**: projects led by the unit or a unit below it, by status, mean progress,
  and how many have each member of the family.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from .. import schema
from ..errors import NotFoundError, ValidationError
from ..graph import QMSGraph
from ..model import fast_constructor
from .index import KIND_CODE, UNIT_CODES, index_of, unit_tree
from .progress import ProjectProgress, paused_gc
from .results import AuditReport

FAMILY = ("outcome", "process", "balancing")


class PortfolioRow(BaseModel):
    project: str
    label: str
    status: str
    units: list[str] = Field(description="Units leading it.")
    progress: float = Field(description="Progress level from the evidence (IHI 0.5-5).")
    progress_name: str
    recorded: float | None = Field(None, description="The level the team recorded.")
    supported: bool | None = None
    evidence: list[str] = Field(description="The evidence of each level reached.")
    next: str | None = Field(None, description="What would move it up a level.")
    measures: list[str]
    family: dict[str, bool] = Field(description="outcome / process / balancing present.")
    verdict: str = Field(description="aligned, misaligned or orphaned.")
    goals: list[str] = Field(description="Active goals its thread reaches.")
    overlaps: list[str] = Field(description="Projects duplicating its effort (same measure, "
                                "other units): duplicated-effort findings.")


class GoalTotal(BaseModel):
    goal: str
    label: str
    status: str
    projects: int
    by_status: dict[str, int]
    mean_progress: float | None
    measure_types: dict[str, int] = Field(description="Measures reaching the goal by type.")
    one_type_only: bool = Field(description="Its measures are all of one type.")
    missing: list[str] = Field(description="Members of the family (outcome, process, "
                               "balancing) no measure of the goal is.")


class UnitTotal(BaseModel):
    unit: str
    label: str
    projects: int
    by_status: dict[str, int]
    mean_progress: float | None
    family: dict[str, int] = Field(description="Projects with an outcome / process / "
                                   "balancing measure.")


class Portfolio(BaseModel):
    filters: dict[str, str | None]
    rows: list[PortfolioRow]
    goals: list[GoalTotal]
    units: list[UnitTotal]


_row = fast_constructor(PortfolioRow)  # trusted values, one per project: no validation


def _mean(xs: list[float]) -> float | None:
    return round(sum(xs) / len(xs), 2) if xs else None


def portfolio(graph: QMSGraph, progress: Mapping[str, ProjectProgress], report: AuditReport,
              measure_types: Mapping[str, str], *, goal: str | None = None,
              unit: str | None = None, status: str | None = None) -> Portfolio:
    """The portfolio, filtered by goal (projects whose thread reaches it), unit (led by it
    or a unit below it) and status. ``measure_types``: measure id -> measure type."""
    with paused_gc():
        return _portfolio(graph, progress, report, measure_types, goal, unit, status)


def _portfolio(graph: QMSGraph, progress: Mapping[str, ProjectProgress], report: AuditReport,
               measure_types: Mapping[str, str], goal: str | None, unit: str | None,
               status: str | None) -> Portfolio:
    ix = index_of(graph)
    ids, kind = ix.ids, ix.kind
    if status is not None and status not in schema.PROJECT_STATUSES:
        raise ValidationError(f"unknown status {status!r}; one of: "
                              f"{', '.join(schema.PROJECT_STATUSES)}", field="status")
    for value, want, fld in ((goal, "StrategicGoal", "goal"), (unit, "OrganisationalUnit",
                                                                 "unit")):
        if value is not None:
            if value not in graph:
                raise NotFoundError(f"no node with id {value!r}")
            if not schema.is_a(graph.kind(value), want):
                raise ValidationError(f"{value!r} is a {graph.kind(value)}, not "
                                      f"{'an' if want[0] in 'AEIOU' else 'a'} {want}",
                                      field=fld)
    projects = np.flatnonzero(kind == KIND_CODE["ImprovementProject"])
    measures = np.flatnonzero(kind == KIND_CODE["Measure"])
    goals = np.flatnonzero(kind == KIND_CODE["StrategicGoal"])
    # which goals each project and measure reaches: per goal, the nodes of its component
    by_comp: dict[int, list[int]] = defaultdict(list)
    for i in np.concatenate([projects, measures]).tolist():
        by_comp[int(ix.comp[i])].append(i)
    comp_nodes = {c: np.array(v, dtype=np.int64) for c, v in by_comp.items()}
    reached: dict[int, list[int]] = defaultdict(list)  # node -> goals
    for g in goals.tolist():
        nodes = comp_nodes.get(int(ix.comp[g]))
        if nodes is None or ix.bit_word[g] < 0:
            continue
        hit = (ix.masks[nodes, ix.bit_word[g]] & ix.bit_value[g]) != 0
        for n in nodes[hit].tolist():
            reached[n].append(g)
    # leading units
    ls, lt = ix.edges["leads"]
    keep = np.isin(kind[ls], UNIT_CODES) & (kind[lt] == KIND_CODE["ImprovementProject"])
    leaders: dict[str, list[str]] = defaultdict(list)
    for a, b in zip(ls[keep].tolist(), lt[keep].tolist(), strict=True):
        leaders[ids[b]].append(ids[a])
    overlaps: dict[str, set[str]] = defaultdict(set)
    for f in report.findings:
        if f.rule == "duplicated-effort":
            for p in f.evidence.related:
                overlaps[p] |= set(f.evidence.related) - {p}
    tree = unit_tree(graph)
    scope = set(tree[unit]) if unit is not None else None
    rows: list[PortfolioRow] = []
    for i in projects.tolist():
        pid = ids[i]
        pr = progress.get(pid)
        if pr is None:
            continue
        units = sorted(leaders.get(pid, ()))
        active = sorted(ids[g] for g in reached.get(i, ()) if ix.goal_status[g] == 1)
        if status is not None and pr.status != status:
            continue
        if scope is not None and not scope & set(units):
            continue
        if goal is not None and ix.pos[goal] not in reached.get(i, ()):
            continue
        ms = pr.measures
        fam = {t: any(measure_types.get(m) == t for m in ms) for t in FAMILY}
        verdict = report.classification.get(pid) or (
            "aligned" if active else "misaligned" if reached.get(i) else "orphaned")
        rows.append(_row(
            project=pid, label=pr.label, status=pr.status, units=units,
            progress=pr.level, progress_name=pr.name, recorded=pr.recorded,
            supported=pr.supported, next=pr.next,
            evidence=[f"{c.level:.1f} {' '.join(c.evidence)}" for c in pr.checks if c.met],
            measures=ms, family=fam, verdict=verdict, goals=active,
            overlaps=sorted(overlaps.get(pid, ()))))
    rows.sort(key=lambda r: r.project)
    return Portfolio(filters={"goal": goal, "unit": unit, "status": status}, rows=rows,
                     goals=_goal_totals(graph, ix, rows, goals, measures, reached,
                                        measure_types, goal),
                     units=_unit_totals(graph, rows, tree, unit))


def _goal_totals(graph: QMSGraph, ix: Any, rows: list[PortfolioRow], goals: np.ndarray,
                 measures: np.ndarray, reached: dict[int, list[int]],
                 measure_types: Mapping[str, str], only: str | None) -> list[GoalTotal]:
    per_goal: dict[str, list[PortfolioRow]] = defaultdict(list)
    for r in rows:
        for g in r.goals:
            per_goal[g].append(r)
    types: dict[int, Counter[str]] = defaultdict(Counter)
    for m in measures.tolist():
        for g in reached.get(m, ()):
            types[g][measure_types.get(ix.ids[m], "")] += 1
    out = []
    for g in goals.tolist():
        gid = ix.ids[g]
        if ix.goal_status[g] != 1 or (only is not None and gid != only):
            continue
        rs = per_goal.get(gid, [])
        t = {k: types[g].get(k, 0) for k in schema.MEASURE_TYPES}
        present = [k for k, v in t.items() if v]
        out.append(GoalTotal(
            goal=gid, label=graph.label(gid), status="active", projects=len(rs),
            by_status=dict(sorted(Counter(r.status for r in rs).items())),
            mean_progress=_mean([r.progress for r in rs]), measure_types=t,
            one_type_only=len(present) == 1,
            missing=[k for k in FAMILY if not t[k]]))
    return sorted(out, key=lambda x: x.goal)


def _unit_totals(graph: QMSGraph, rows: list[PortfolioRow], tree: dict[str, list[str]],
                 only: str | None) -> list[UnitTotal]:
    by_unit: dict[str, list[PortfolioRow]] = defaultdict(list)
    for r in rows:
        for u in r.units:
            by_unit[u].append(r)
    out = []
    for u, members in sorted(tree.items()):
        if only is not None and u not in tree[only]:
            continue
        rs = list({r.project: r for m in members for r in by_unit.get(m, ())}.values())
        if not rs:
            continue
        out.append(UnitTotal(
            unit=u, label=graph.label(u), projects=len(rs),
            by_status=dict(sorted(Counter(r.status for r in rs).items())),
            mean_progress=_mean([r.progress for r in rs]),
            family={k: sum(r.family[k] for r in rs) for k in FAMILY}))
    return out


CSV_COLUMNS = ("project", "label", "status", "units", "progress", "progress_name",
               "recorded", "supported", "next", "measures", "outcome", "process",
               "balancing", "verdict", "goals", "overlaps", "evidence")


def csv_rows(p: Portfolio) -> list[list[Any]]:
    """The rows for a CSV file (lists joined with ';'), header first."""
    out: list[list[Any]] = [list(CSV_COLUMNS)]
    for r in p.rows:
        out.append([r.project, r.label, r.status, ";".join(r.units), f"{r.progress:.1f}",
                    r.progress_name, "" if r.recorded is None else f"{r.recorded:.1f}",
                    "" if r.supported is None else str(r.supported).lower(), r.next or "",
                    ";".join(r.measures), *(str(r.family[k]).lower() for k in FAMILY),
                    r.verdict, ";".join(r.goals), ";".join(r.overlaps),
                    " | ".join(r.evidence)])
    return out
