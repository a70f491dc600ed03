"""The alignment engine: golden threads, findings, portfolio views, project checks, impact.

How it is fast
--------------
The whole-portfolio audit does not search a path per project per goal. It builds (once per
graph revision) an array index of the graph, then computes for every node, in one vectorised
fixed-point sweep over the thread edges, the set of *anchors* (goals and objectives) it
reaches, as a bitmask. Anchors are numbered within each weakly connected part of the thread
graph, so a national graph of hundreds of organisations still needs only a word or two per
node. Every rule then reads those masks and per-kind degree counts with numpy. Paths are
worked out only for the few nodes that have a finding (breadth-first, deterministic).

Definitions shared by every store (and by the brute-force oracle in the tests)
-----------------------------------------------------------------------------
* *Thread edges* are the edge kinds marked ``thread`` in :mod:`qmsgraph.schema`, followed
  from source to target (project --improves--> measure --indicates--> objective ...).
* A node *reaches* a goal when a path of thread edges leads from it to the goal.
* *Live* projects have a status in ``AlignmentConfig.work_statuses``.
* A live project is **orphaned** when it reaches no goal, **misaligned** when it reaches
  goals but no active one, or when it declares (``alignsTo``) a goal or objective that it
  does not reach; otherwise it is **aligned**.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from . import schema
from .errors import ValidationError
from .graph import QMSGraph

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


# ============================================================================ configuration

class AlignmentConfig(BaseModel):
    """Thresholds of the rules. Load from TOML with :func:`load_config`; docs/alignment.md."""

    model_config = ConfigDict(extra="forbid")

    max_active_goals: int = Field(6, ge=1, description=(
        "More active strategic goals than this under one purpose is 'too many priorities'."))
    stale_periods: int = Field(3, ge=1, description=(
        "A measure whose latest data point is more than this many months before the "
        "reference date is stale."))
    as_of: dt.date | None = Field(None, description=(
        "Reference date for staleness; default: the latest data point of any measure."))
    concern_window: int = Field(6, ge=1, description=(
        "A measure shows special-cause concern when one of its last N points does."))
    work_statuses: list[str] = Field(["proposed", "active", "paused"], description=(
        "Project statuses that count as live work for the alignment rules."))
    duplicate_statuses: list[str] = Field(["active"], description=(
        "Project statuses that count for duplicated effort."))
    duplicate_min_units: int = Field(2, ge=2, description=(
        "Projects from at least this many different leading units improving one measure "
        "is duplicated effort."))
    disabled_rules: list[str] = Field(default_factory=list)
    severities: dict[str, Severity] = Field(default_factory=dict, description=(
        "Override a rule's severity, e.g. {'measure-without-owner': 'error'}."))


def load_config(path: str | Path | None) -> AlignmentConfig:
    """Read ``[alignment]`` from a TOML file (or the whole file if it has no such table)."""
    if path is None:
        return AlignmentConfig()
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ValidationError(f"cannot read configuration: {err}", location=str(p)) from None
    data = data.get("alignment", data)
    try:
        return AlignmentConfig.model_validate(data)
    except Exception as err:
        raise ValidationError(f"bad configuration: {err}", location=str(p)) from None


# ============================================================================ results

class Step(BaseModel):
    """One node of a path, and the edge kind that leads on from it (None at the end)."""

    node: str
    kind: str
    label: str
    edge: str | None = None


class Evidence(BaseModel):
    paths: list[list[Step]] = Field(default_factory=list, description="Threads found.")
    last_reached: list[str] = Field(default_factory=list, description=(
        "Where the thread breaks: the last nodes reached, with no thread edge onward."))
    related: list[str] = Field(default_factory=list, description="Other nodes involved.")
    details: dict[str, Any] = Field(default_factory=dict)


class Finding(BaseModel):
    rule: str
    severity: Severity
    node: str
    kind: str
    label: str
    message: str
    evidence: Evidence = Field(default_factory=Evidence)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule, self.severity, self.node)


RULES: dict[str, tuple[Severity, str]] = {
    "orphaned-work": ("error", "Live work with no thread to any strategic goal."),
    "misaligned-inactive-goal": ("error", "Work whose thread reaches only retired or "
                                 "deprioritised goals."),
    "declared-not-evidenced": ("error", "Work that declares a priority no measure or process "
                               "on its thread supports."),
    "goal-without-measure": ("error", "An active goal that no measure indicates."),
    "goal-without-work": ("warning", "An active goal no live project or process contributes "
                          "to (an unresourced priority)."),
    "goal-not-serving-purpose": ("warning", "An active goal not linked to the purpose."),
    "too-many-priorities": ("warning", "More active goals than the configured maximum."),
    "measure-without-owner": ("warning", "A measure nobody owns."),
    "measure-without-data": ("warning", "A measure with no data points."),
    "stale-measure": ("warning", "A measure with no data for the configured number of "
                      "periods."),
    "assurance-not-control": ("warning", "A measure used by assurance but not by daily "
                              "control."),
    "duplicated-effort": ("warning", "Active projects in different units improving the same "
                          "measure."),
    "unbalanced-unit": ("warning", "A unit doing improvement with no quality control."),
    "at-risk-goal": ("warning", "An active goal whose thread has a measure showing "
                     "special-cause concern."),
}

# Rules about work: errors for projects, warnings for processes and measures.
WORK_RULES = ("orphaned-work", "misaligned-inactive-goal", "declared-not-evidenced")


# ============================================================================ the index

@dataclass
class Index:
    """Array view of a graph for the vectorised rules (rebuilt when the graph changes)."""

    ids: list[str]
    pos: dict[str, int]
    kind: np.ndarray            # int16 code into KIND_CODES
    goal_status: np.ndarray     # int8: 0 not a goal, 1 active, 2 inactive
    project_status: np.ndarray  # int8 code into PROJECT_STATUS (-1 not a project)
    edges: dict[str, tuple[np.ndarray, np.ndarray]]  # kind -> (src, dst)
    last_point: np.ndarray      # int32 months since year 0 of the latest point, -1 none
    n_points: np.ndarray
    driver: np.ndarray          # bool: a driver process (counts as QP in the balance)
    masks: np.ndarray           # (n, W) uint64: anchors reached
    comp: np.ndarray            # component of each node in the thread graph
    bit_word: np.ndarray        # for anchors: word index, else -1
    bit_value: np.ndarray       # for anchors: the bit (uint64)
    goal_bits: np.ndarray       # (ncomp, W): all goals of the component
    active_bits: np.ndarray     # (ncomp, W): active goals of the component
    t_ptr: np.ndarray           # thread edges grouped by source: t_dst[t_ptr[i]:t_ptr[i+1]]
    t_dst: np.ndarray
    t_kind: np.ndarray          # index into THREAD_KINDS
    alive: int = -1             # live nodes (slots of deleted nodes have kind -1); -1: all

    def thread_out(self, node_id: str) -> list[tuple[str, str]]:
        """Thread edges out of a node as (edge kind, target id), sorted like _thread_out."""
        i = self.pos[node_id]
        a, b = self.t_ptr[i], self.t_ptr[i + 1]
        if a == b:
            return []
        ids = self.ids
        return sorted((THREAD_KINDS[k], ids[d]) for k, d in zip(
            self.t_kind[a:b].tolist(), self.t_dst[a:b].tolist(), strict=True))

    def has_bit(self, nodes: np.ndarray, anchors: np.ndarray) -> np.ndarray:
        """For pairs (node, anchor): does node reach anchor?"""
        same = self.comp[nodes] == self.comp[anchors]
        w = self.bit_word[anchors]
        hit = (self.masks[nodes, np.maximum(w, 0)] & self.bit_value[anchors]) != 0
        return same & (w >= 0) & hit

    def reaches(self, node: int, bits: np.ndarray) -> bool:
        return bool((self.masks[node] & bits[self.comp[node]]).any())


KIND_CODES = list(schema.NODE_KINDS)
THREAD_KINDS = sorted(schema.THREAD_EDGES)
KIND_CODE = {k: i for i, k in enumerate(KIND_CODES)}
PROJECT_STATUS = list(schema.PROJECT_STATUSES)


def _codes(pred: Any) -> np.ndarray:
    return np.array([i for i, k in enumerate(KIND_CODES) if pred(k)], dtype=np.int16)


GOAL_CODES = _codes(lambda k: k == "StrategicGoal")
ANCHOR_CODES = _codes(lambda k: k in ("StrategicGoal", "Objective"))
UNIT_CODES = _codes(lambda k: schema.is_a(k, "OrganisationalUnit"))


def _months(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


class SlotMap:
    """id -> slot of a core snapshot, as a read-only mapping (no dict of a million ids)."""

    def __init__(self, core: Any) -> None:
        self._slot = core.slot

    def __getitem__(self, node_id: str) -> int:
        i = self._slot(node_id)
        if i is None:
            raise KeyError(node_id)
        return i

    def __contains__(self, node_id: object) -> bool:
        return isinstance(node_id, str) and self._slot(node_id) is not None

    def get(self, node_id: str, default: int | None = None) -> int | None:
        i = self._slot(node_id)
        return default if i is None else i


def _index_from_core(core: Any) -> Index:
    """The index straight from the embedded store's arrays: no per-node Python."""
    ids = core.ids[:core.n]
    edges = core.edges_of_kind()
    ix = _finish_index(ids, SlotMap(core), core.kind[:core.n], core.goal_status[:core.n],
                       core.project_status[:core.n], edges, core.last_point[:core.n],
                       core.n_points[:core.n], core.driver[:core.n])
    ix.alive = core.alive
    return ix


def build_index(graph: QMSGraph) -> Index:
    core = getattr(graph, "core", None)
    if core is not None:
        return _index_from_core(core)
    ids = list(graph.g.nodes)
    pos = {nid: i for i, nid in enumerate(ids)}
    n = len(ids)
    kind = np.empty(n, dtype=np.int16)
    goal_status = np.zeros(n, dtype=np.int8)
    project_status = np.full(n, -1, dtype=np.int8)
    last_point = np.full(n, -1, dtype=np.int32)
    n_points = np.zeros(n, dtype=np.int32)
    driver = np.zeros(n, dtype=bool)
    pstatus = {s: i for i, s in enumerate(PROJECT_STATUS)}
    for i, (_, node) in enumerate(graph.g.nodes(data="node")):
        k = node.kind
        kind[i] = KIND_CODE[k]
        # getattr: a store may hand over light nodes that carry only what it read
        if k == "StrategicGoal":
            goal_status[i] = 1 if getattr(node, "status", "active") == "active" else 2
        elif k == "ImprovementProject":
            project_status[i] = pstatus.get(getattr(node, "status", None), -1)
        elif k == "Measure" and getattr(node, "data", None):
            last_point[i] = _months(node.data[-1].date)
            n_points[i] = len(node.data)
        elif k == "Process":
            driver[i] = getattr(node, "process_type", None) == "driver"
    buckets: dict[str, tuple[list[int], list[int]]] = {k: ([], []) for k in schema.EDGE_KINDS}
    for s, t, k in graph.g.edges(keys=True):
        b = buckets[k]
        b[0].append(pos[s])
        b[1].append(pos[t])
    edges = {k: (np.array(s, dtype=np.int64), np.array(t, dtype=np.int64))
             for k, (s, t) in buckets.items()}
    return _finish_index(ids, pos, kind, goal_status, project_status, edges, last_point,
                         n_points, driver)


def _finish_index(ids: list[str], pos: Any, kind: np.ndarray,
                  goal_status: np.ndarray, project_status: np.ndarray,
                  edges: dict[str, tuple[np.ndarray, np.ndarray]], last_point: np.ndarray,
                  n_points: np.ndarray, driver: np.ndarray) -> Index:
    n = len(ids)
    t_src = np.concatenate([edges[k][0] for k in THREAD_KINDS] or [np.zeros(0, int)])
    t_dst = np.concatenate([edges[k][1] for k in THREAD_KINDS] or [np.zeros(0, int)])
    t_kind = np.concatenate([np.full(len(edges[k][0]), c, dtype=np.int8)
                             for c, k in enumerate(THREAD_KINDS)] or [np.zeros(0, np.int8)])
    if n:
        adj = coo_matrix((np.ones(len(t_src), dtype=np.int8), (t_src, t_dst)), shape=(n, n))
        ncomp, comp = connected_components(adj.tocsr(), directed=True, connection="weak")
    else:
        ncomp, comp = 0, np.zeros(0, dtype=np.int32)
    comp = comp.astype(np.int64)
    # Number the anchors (goals, objectives) within their component.
    anchors = np.flatnonzero(np.isin(kind, ANCHOR_CODES))
    order = anchors[np.argsort(comp[anchors], kind="stable")]
    acomp = comp[order]
    starts = np.searchsorted(acomp, acomp, side="left")
    rank = np.arange(len(order)) - starts
    words = int(rank.max() // 64 + 1) if len(rank) else 1
    bit_word = np.full(n, -1, dtype=np.int64)
    bit_value = np.zeros(n, dtype=np.uint64)
    bit_word[order] = rank // 64
    bit_value[order] = np.left_shift(np.uint64(1), (rank % 64).astype(np.uint64))
    masks = np.zeros((n, words), dtype=np.uint64)
    masks[order, rank // 64] = bit_value[order]
    goal_bits = np.zeros((max(ncomp, 1), words), dtype=np.uint64)
    active_bits = np.zeros((max(ncomp, 1), words), dtype=np.uint64)
    goals = order[np.isin(kind[order], GOAL_CODES)]
    np.bitwise_or.at(goal_bits, (comp[goals], bit_word[goals]), bit_value[goals])
    active = goals[goal_status[goals] == 1]
    np.bitwise_or.at(active_bits, (comp[active], bit_word[active]), bit_value[active])
    # Fixed point: every node ORs in what its thread successors reach.
    by_src = np.argsort(t_src, kind="stable")
    src_sorted, dst_sorted, kind_sorted = t_src[by_src], t_dst[by_src], t_kind[by_src]
    t_ptr = np.concatenate([[0], np.cumsum(np.bincount(t_src, minlength=n))])
    if len(t_src):
        group_start = np.flatnonzero(np.r_[True, src_sorted[1:] != src_sorted[:-1]])
        group_node = src_sorted[group_start]
        while True:
            gathered = np.bitwise_or.reduceat(masks[dst_sorted], group_start, axis=0)
            merged = masks[group_node] | gathered
            if np.array_equal(merged, masks[group_node]):
                break
            masks[group_node] = merged
    return Index(ids, pos, kind, goal_status, project_status, edges, last_point, n_points,
                 driver, masks, comp, bit_word, bit_value, goal_bits, active_bits, t_ptr,
                 dst_sorted, kind_sorted)


def index_of(graph: QMSGraph) -> Index:
    return graph.cached("alignment-index", build_index)


# ============================================================================ paths

def _thread_out(graph: QMSGraph, node_id: str, exclude: str | None = None
                ) -> list[tuple[str, str]]:
    out = graph.thread_out(node_id)
    return [x for x in out if x[1] != exclude] if exclude is not None else out


def _thread_in(graph: QMSGraph, node_id: str, exclude: str | None = None
               ) -> list[tuple[str, str]]:
    inc = graph.thread_in(node_id)
    return [x for x in inc if x[1] != exclude] if exclude is not None else inc


Neighbours = Callable[[str], list[tuple[str, str]]]


def _bfs(graph: QMSGraph, start: str, forward: bool = True, exclude: str | None = None,
         out: Neighbours | None = None) -> dict[str, tuple[str | None, str | None]]:
    """Breadth-first over thread edges; parent map node -> (previous node, edge kind).

    Neighbours are visited in (edge kind, id) order, so the shortest path chosen when
    several tie is the same on every run and every store.
    """
    parent: dict[str, tuple[str | None, str | None]] = {start: (None, None)}
    queue = deque([start])
    if out is not None:
        def step(_g: QMSGraph, n: str, _x: str | None) -> list[tuple[str, str]]:
            return out(n)
    else:
        step = _thread_out if forward else _thread_in
    while queue:
        cur = queue.popleft()
        for k, nxt in step(graph, cur, exclude):
            if nxt not in parent:
                parent[nxt] = (cur, k)
                queue.append(nxt)
    return parent


def _steps(graph: QMSGraph, chain: list[tuple[str, str | None]]) -> list[Step]:
    return [Step(node=nid, kind=graph.kind(nid), label=graph.label(nid), edge=edge)
            for nid, edge in chain]


def _path_to(graph: QMSGraph, parent: dict[str, tuple[str | None, str | None]], end: str
             ) -> list[Step]:
    """Forward path start -> end from a forward BFS parent map."""
    chain: list[tuple[str, str | None]] = [(end, None)]
    cur = end
    while parent[cur][0] is not None:
        prev, k = parent[cur]
        chain.append((prev, k))  # type: ignore[arg-type]
        cur = prev  # type: ignore[assignment]
    chain.reverse()
    return _steps(graph, chain)


def _path_from(graph: QMSGraph, parent: dict[str, tuple[str | None, str | None]], start: str
               ) -> list[Step]:
    """Forward path start -> root from a reverse BFS parent map rooted at the goal."""
    chain: list[tuple[str, str | None]] = []
    cur: str | None = start
    while cur is not None:
        nxt, k = parent[cur]
        chain.append((cur, k))
        cur = nxt
    return _steps(graph, chain)


def _purpose_tail(graph: QMSGraph, goal: str) -> list[Step]:
    purposes = sorted(graph.successors(goal, "serves"))
    return _steps(graph, [(purposes[0], None)]) if purposes else []


class Thread(BaseModel):
    goal: str
    goal_label: str
    goal_status: str
    path: list[Step]
    reaches_purpose: bool


class ThreadResult(BaseModel):
    node: str
    kind: str
    label: str
    threads: list[Thread] = Field(description="Shortest thread to each goal reached.")
    broken: bool = Field(description="True when no active goal is reached.")
    last_reached: list[str] = Field(default_factory=list, description=(
        "Where the thread breaks: nodes reached with no thread edge onward."))


def thread(graph: QMSGraph, node_id: str, out: Neighbours | None = None,
           tails: dict[str, list[Step]] | None = None) -> ThreadResult:
    """The golden thread(s) of a node: the shortest typed path to each goal, up to the
    purpose, or where the thread breaks. ``out`` gives a node's thread edges (default: read
    from the graph; the audit passes the array index's, which gives the same answer)."""
    node = graph.node(node_id)
    parent = _bfs(graph, node_id, out=out)
    threads = []
    for gid in sorted(n for n in parent if graph.kind(n) == "StrategicGoal"):
        goal = graph.node(gid)
        path = _path_to(graph, parent, gid)
        if tails is None:
            tail = _purpose_tail(graph, gid)
        else:  # the audit asks for many threads: each goal's purpose is looked up once
            tail = tails.get(gid)
            if tail is None:
                tail = tails[gid] = _purpose_tail(graph, gid)
        if tail:
            path[-1] = path[-1].model_copy(update={"edge": "serves"})
        threads.append(Thread(
            goal=gid, goal_label=goal.label, goal_status=goal.status, path=path + tail,
            reaches_purpose=bool(tail)))
    threads.sort(key=lambda t: (t.goal_status != "active", len(t.path), t.goal))
    broken = not any(t.goal_status == "active" for t in threads)
    has_out = out or (lambda n: _thread_out(graph, n))
    ends = sorted(n for n in parent if not has_out(n)
                  and graph.kind(n) != "StrategicGoal" and not schema.is_a(
                      graph.kind(n), "Purpose")) if broken else []
    return ThreadResult(node=node_id, kind=node.kind, label=node.label,
                                        threads=threads, broken=broken, last_reached=ends)


class Contributor(BaseModel):
    node: str
    kind: str
    label: str
    path: list[Step]


class Contributors(BaseModel):
    goal: str
    label: str
    status: str
    projects: list[Contributor]
    processes: list[Contributor]
    measures: list[Contributor]
    units: list[Contributor]
    other: list[Contributor]


def contributors(graph: QMSGraph, goal_id: str) -> Contributors:
    """All the work that contributes to a goal, each with its path to the goal."""
    goal = graph.node(goal_id)
    if goal.kind not in ("StrategicGoal", "Objective"):
        raise ValidationError(f"{goal_id!r} is a {goal.kind}, not a goal or objective",
                              field="goal")
    parent = _bfs(graph, goal_id, forward=False)
    groups: dict[str, list[Contributor]] = defaultdict(list)
    for nid in sorted(parent):
        if nid == goal_id:
            continue
        node = graph.node(nid)
        c = Contributor(node=nid, kind=node.kind, label=node.label,
                        path=_path_from(graph, parent, nid))
        k = node.kind
        group = ("projects" if k == "ImprovementProject" else "processes" if k == "Process"
                 else "measures" if k == "Measure" else "units"
                 if schema.is_a(k, "OrganisationalUnit") else "other")
        groups[group].append(c)
    return Contributors(goal=goal_id, label=goal.label, status=getattr(goal, "status", "active"),
                        **{g: groups.get(g, []) for g in
                           ("projects", "processes", "measures", "units", "other")})


# ============================================================================ the audit

class AuditReport(BaseModel):
    findings: list[Finding]
    classification: dict[str, str] = Field(description=(
        "Every live project: aligned, misaligned or orphaned."))
    counts: dict[str, int] = Field(default_factory=dict)
    as_of: dt.date | None = None

    def summary(self) -> dict[str, Any]:
        by_rule = Counter(f.rule for f in self.findings)
        by_sev = Counter(f.severity for f in self.findings)
        cls = Counter(self.classification.values())
        return {"findings": len(self.findings), "by_severity": dict(by_sev),
                "by_rule": dict(sorted(by_rule.items())), "projects": dict(cls),
                **self.counts}

    def filter(self, rule: str | None = None, severity: str | None = None,
               nodes: Iterable[str] | None = None) -> list[Finding]:
        keep = set(nodes) if nodes is not None else None
        return [f for f in self.findings
                if (rule is None or f.rule == rule)
                and (severity is None or SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER[severity])
                and (keep is None or f.node in keep)]


class Facts(BaseModel):
    """What the rules need to know about a graph, computed by a store.

    The embedded store computes these with the array index (:func:`index_facts`); the Neo4j
    store computes them with Cypher on the server. :func:`findings_from_facts` turns them
    into findings the same way for every store, so the same graph gives the same findings.
    """

    orphaned: list[str] = Field(description="Work (live projects, processes, measures) "
                                "reaching no goal.")
    inactive_only: list[str] = Field(description="Work reaching goals, none active.")
    declared_bad: dict[str, list[str]] = Field(description=(
        "Work -> declared priorities (alignsTo) its thread does not reach, or that are not "
        "active goals."))
    classification: dict[str, str]
    active_goals: list[tuple[str, bool, bool, bool]] = Field(description=(
        "(goal, has a measure, has live work, serves a purpose)"))
    purpose_goals: dict[str, list[str]] = Field(description="Purpose -> active goals.")
    unowned_measures: list[str]
    measures_without_data: list[str]
    stale_measures: list[tuple[str, dt.date]] = Field(description="(measure, last point)")
    as_of: dt.date | None
    assurance_not_control: list[tuple[str, list[str]]] = Field(description=(
        "(measure, assurance activities)"))
    duplicates: list[tuple[str, list[str], dict[str, list[str]]]] = Field(description=(
        "(measure, projects, leading unit -> projects)"))
    unbalanced: list[tuple[str, dict[str, int]]]
    at_risk: dict[str, list[str]] = Field(description="Active goal -> concerning measures.")
    counts: dict[str, int]


class Lookup:
    """How the findings phase reads labels and threads: from a graph, or from a store."""

    def __init__(self, graph: QMSGraph, index: Index | None = None) -> None:
        self.graph = graph
        self.out = index.thread_out if index is not None else None
        self.tails: dict[str, list[Step]] = {}

    def label(self, node_id: str) -> str:
        return self.graph.label(node_id)

    def kind(self, node_id: str) -> str:
        return self.graph.kind(node_id)

    def thread(self, node_id: str) -> ThreadResult:
        return thread(self.graph, node_id, self.out, self.tails)

    def paths_to(self, goal_id: str, sources: list[str]) -> list[list[Step]]:
        parent = _bfs(self.graph, goal_id, forward=False)
        return [_path_from(self.graph, parent, m) for m in sources]


def _months_to_date(m: int) -> dt.date:
    return dt.date(m // 12, m % 12 + 1, 1)


def index_facts(graph: QMSGraph, cfg: AlignmentConfig, concern: set[str]) -> Facts:
    """The facts, from the array index: one vectorised pass, no per-pair path search."""
    ix = index_of(graph)
    n = len(ix.ids)
    ids = ix.ids

    def of_kind(*codes: str) -> np.ndarray:
        return np.isin(ix.kind, [KIND_CODE[c] for c in codes])

    def indeg(kind: str) -> np.ndarray:
        return np.bincount(ix.edges[kind][1], minlength=n)

    def outdeg(kind: str) -> np.ndarray:
        return np.bincount(ix.edges[kind][0], minlength=n)

    def reached(bits: np.ndarray) -> np.ndarray:
        return (ix.masks & bits[ix.comp]).any(axis=1) if n else np.zeros(0, bool)

    live = (ix.kind == KIND_CODE["ImprovementProject"]) & np.isin(
        ix.project_status, [PROJECT_STATUS.index(x) for x in cfg.work_statuses])
    work = of_kind("Process", "Measure") | live
    reach_any = reached(ix.goal_bits)
    reach_active = reached(ix.active_bits)
    ds, dtg = ix.edges["alignsTo"]
    ok = ix.has_bit(ds, dtg) & (ix.goal_status[dtg] != 2) if len(ds) else np.zeros(0, bool)
    declared_bad: dict[str, list[str]] = defaultdict(list)
    for a, b in zip(ds[~ok].tolist(), dtg[~ok].tolist(), strict=True):
        if work[a]:
            declared_bad[ids[a]].append(ids[b])
    classification = dict(sorted(  # by id: the same order in every process and store
        (ids[i], "orphaned" if not reach_any[i] else "misaligned"
         if (not reach_active[i] or ids[i] in declared_bad) else "aligned")
        for i in np.flatnonzero(live).tolist()))

    def comp_or(sel: np.ndarray) -> np.ndarray:
        out = np.zeros_like(ix.goal_bits)
        idx = np.flatnonzero(sel)
        for w in range(out.shape[1]):
            np.bitwise_or.at(out[:, w], ix.comp[idx], ix.masks[idx, w])
        return out

    has_measure = comp_or(of_kind("Measure"))
    has_work = comp_or(live | of_kind("Process"))
    serves_src = outdeg("serves") > 0
    active_goals = []
    for i in np.flatnonzero(ix.goal_status == 1).tolist():
        c, w, b = ix.comp[i], ix.bit_word[i], ix.bit_value[i]
        active_goals.append((ids[i], bool(has_measure[c, w] & b), bool(has_work[c, w] & b),
                             bool(serves_src[i])))
    purpose_goals: dict[str, set[str]] = defaultdict(set)
    ss, st = ix.edges["serves"]
    for a, b in zip(ss.tolist(), st.tolist(), strict=True):
        if ix.goal_status[a] == 1:
            purpose_goals[ids[b]].add(ids[a])
    measures = of_kind("Measure")
    lp = ix.last_point
    as_of = cfg.as_of or (_months_to_date(int(lp.max())) if n and lp.max() >= 0 else None)
    stale = []
    if as_of is not None:
        limit = _months(as_of) - cfg.stale_periods
        stale = [(ids[i], _months_to_date(int(lp[i]))) for i in np.flatnonzero(
            measures & (ix.n_points > 0) & (lp < limit)).tolist()]
    assured = indeg("assures") > 0
    controlled = (indeg("monitors") > 0) | (outdeg("measures") > 0)
    anc = [(ids[i], sorted(graph.predecessors(ids[i], "assures")))
           for i in np.flatnonzero(measures & assured & ~controlled).tolist()]
    # duplicated effort: (measure, leading unit) pairs of duplicate-status projects
    duplicates = []
    src, dst = ix.edges["improves"]
    codes = [PROJECT_STATUS.index(x) for x in cfg.duplicate_statuses]
    sel = np.isin(ix.project_status[src], codes) & (ix.kind[dst] == KIND_CODE["Measure"])
    ps, pm = src[sel], dst[sel]
    ls, lt = ix.edges["leads"]
    lsel = np.isin(ix.kind[ls], UNIT_CODES)
    ls, lt = ls[lsel], lt[lsel]
    order = np.argsort(lt, kind="stable")
    lead_unit = ls[order]
    deg = np.bincount(lt, minlength=n)
    ptr = np.concatenate([[0], np.cumsum(deg)])
    cnt = deg[ps]
    rep = np.repeat(np.arange(len(ps)), cnt)
    offs = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    pair_unit = lead_unit[ptr[ps[rep]] + offs]
    pair_measure = pm[rep]
    keys = np.unique(pair_measure.astype(np.int64) * max(n, 1) + pair_unit)
    units_per_measure = np.bincount(keys // max(n, 1), minlength=n)
    projects_per_measure = np.bincount(pm, minlength=n)
    flagged = set(np.flatnonzero((units_per_measure >= cfg.duplicate_min_units)
                                 & (projects_per_measure >= 2)).tolist())
    if flagged:
        by_measure: dict[int, list[int]] = defaultdict(list)
        for p, m in zip(ps.tolist(), pm.tolist(), strict=True):
            if m in flagged:
                by_measure[m].append(p)
        for m, projects in by_measure.items():
            units: dict[str, list[str]] = defaultdict(list)
            for p in sorted(projects, key=ids.__getitem__):
                for u in sorted(ids[x] for x in lead_unit[ptr[p]:ptr[p + 1]].tolist()):
                    units[u].append(ids[p])
            duplicates.append((ids[m], sorted(ids[p] for p in projects), dict(units)))
    bal_units, bal = _balance_arrays(graph, ix, cfg)
    unbalanced = [(ids[u], dict(zip(ASPECTS, map(int, bal[u]), strict=True)))
                  for u in bal_units[(bal[bal_units, 3] > 0) & (bal[bal_units, 1] == 0)].tolist()]
    at_risk: dict[str, list[str]] = {}
    cidx = np.array(sorted(ix.pos[m] for m in concern if m in ix.pos), dtype=np.int64)
    if len(cidx):
        for g in np.flatnonzero(ix.goal_status == 1).tolist():
            hits = cidx[ix.has_bit(cidx, np.full(len(cidx), g))]
            if len(hits):
                at_risk[ids[g]] = sorted(ids[h] for h in hits.tolist())
    return Facts.model_construct(  # built from trusted values: skip validation
        orphaned=sorted(ids[i] for i in np.flatnonzero(work & ~reach_any).tolist()),
        inactive_only=sorted(ids[i] for i in np.flatnonzero(
            work & reach_any & ~reach_active).tolist()),
        declared_bad={k: sorted(v) for k, v in declared_bad.items()},
        classification=classification, active_goals=sorted(active_goals),
        purpose_goals={k: sorted(v) for k, v in purpose_goals.items()},
        unowned_measures=sorted(ids[i] for i in np.flatnonzero(
            measures & (indeg("owns") == 0)).tolist()),
        measures_without_data=sorted(ids[i] for i in np.flatnonzero(
            measures & (ix.n_points == 0)).tolist()),
        stale_measures=sorted(stale), as_of=as_of, assurance_not_control=sorted(anc),
        duplicates=sorted(duplicates), unbalanced=unbalanced, at_risk=at_risk,
        counts={"nodes": n if ix.alive < 0 else ix.alive,
                "edges": int(sum(len(a) for a, _ in ix.edges.values())),
                "live_projects": int(live.sum()),
                "active_goals": int((ix.goal_status == 1).sum())})


_WHAT = {"ImprovementProject": "Project", "Measure": "Measure", "Process": "Process"}
_NO_THREAD = {"ImprovementProject": "it improves no measure or process",
              "Measure": "it indicates no objective or goal and measures no process",
              "Process": "it supports no goal, objective or service"}


def findings_from_facts(facts: Facts, cfg: AlignmentConfig, lookup: Lookup) -> AuditReport:
    """Turn facts into findings: one plain sentence and the evidence for each."""
    out: list[Finding] = []

    def add(rule: str, node: str, message: str, evidence: Evidence | None = None) -> None:
        if rule in cfg.disabled_rules:
            return
        kind = lookup.kind(node)
        sev = cfg.severities.get(rule, RULES[rule][0])
        if rule in WORK_RULES and kind != "ImprovementProject" and rule not in cfg.severities:
            sev = "warning"  # a process or measure off the thread is a gap, not wrong work
        out.append(Finding(
            rule=rule, severity=sev, node=node, kind=kind, label=lookup.label(node),
            message=message, evidence=evidence or Evidence()))

    for nid in facts.orphaned:
        t = lookup.thread(nid)
        kind = lookup.kind(nid)
        if t.last_reached and t.last_reached != [nid]:
            ends = ", ".join(f"{lookup.label(e)} ({lookup.kind(e)})" for e in t.last_reached[:3])
            where = f"its thread stops at {ends}, which leads to no goal"
        else:
            where = _NO_THREAD[kind]
        add("orphaned-work", nid, f"{_WHAT[kind]} '{lookup.label(nid)}' is not linked to any "
            f"strategic goal: {where}.", Evidence(last_reached=t.last_reached))
    for nid in facts.inactive_only:
        t = lookup.thread(nid)
        goals = ", ".join(f"'{x.goal_label}' ({x.goal_status})" for x in t.threads)
        add("misaligned-inactive-goal", nid, f"'{lookup.label(nid)}' serves only goals the "
            f"Board no longer pursues: {goals}.",
            Evidence(paths=[x.path for x in t.threads]))
    for nid, targets in sorted(facts.declared_bad.items()):
        t = lookup.thread(nid)
        names = ", ".join(f"'{lookup.label(x)}'" for x in targets)
        reached = [x for x in t.threads if x.goal_status == "active"]
        also = (" Its thread reaches " + ", ".join(f"'{x.goal_label}'" for x in reached)
                + " instead.") if reached else " Nothing on its thread reaches any goal."
        add("declared-not-evidenced", nid, f"'{lookup.label(nid)}' says it serves {names}, "
            f"but no measure or process it improves supports that.{also}",
            Evidence(paths=[x.path for x in t.threads], last_reached=t.last_reached,
                     related=list(targets)))
    for gid, has_measure, has_work, serves in facts.active_goals:
        label = lookup.label(gid)
        if not has_measure:
            add("goal-without-measure", gid, f"Goal '{label}' has no measure, so the Board "
                "cannot tell whether it is being met.")
        if not has_work:
            add("goal-without-work", gid, f"No live project or process contributes to goal "
                f"'{label}': it is an unresourced priority.")
        if not serves:
            add("goal-not-serving-purpose", gid,
                f"Goal '{label}' is not linked to the organisation's purpose.")
    for pid, goals in sorted(facts.purpose_goals.items()):
        if len(goals) > cfg.max_active_goals:
            add("too-many-priorities", pid, f"{len(goals)} active strategic goals serve "
                f"'{lookup.label(pid)}'; more than {cfg.max_active_goals} dilutes the Board's "
                "focus.", Evidence(related=goals))
    for mid in facts.unowned_measures:
        add("measure-without-owner", mid, f"Measure '{lookup.label(mid)}' has no owner: "
            "nobody is accountable for acting on it.")
    for mid in facts.measures_without_data:
        add("measure-without-data", mid, f"Measure '{lookup.label(mid)}' has no data.")
    for mid, last in facts.stale_measures:
        assert facts.as_of is not None
        gap = _months(facts.as_of) - _months(last)
        add("stale-measure", mid, f"Measure '{lookup.label(mid)}' has had no data for {gap} "
            f"months (last point {last:%b %Y}).",
            Evidence(details={"last_point": last.isoformat(),
                              "as_of": facts.as_of.isoformat(), "months": gap}))
    for mid, by in facts.assurance_not_control:
        add("assurance-not-control", mid, f"Measure '{lookup.label(mid)}' is checked by "
            "assurance but no team watches it in daily control: assurance and control are "
            "looking at different things.", Evidence(related=by))
    for mid, projects, units in facts.duplicates:
        names = "; ".join(f"{lookup.label(u)}: {', '.join(ps)}" for u, ps in sorted(units.items()))
        add("duplicated-effort", mid, f"{len(projects)} active projects in {len(units)} "
            f"different units are improving '{lookup.label(mid)}' ({names}): join them up or "
            "share learning.", Evidence(related=projects, details={"units": units}))
    for unit, row in facts.unbalanced:
        add("unbalanced-unit", unit, f"'{lookup.label(unit)}' leads {row['QI']} improvement "
            "project(s) but watches no measure in daily control, so it cannot tell whether "
            "changes hold.", Evidence(details=row))
    for gid, ms in sorted(facts.at_risk.items()):
        names = ", ".join(f"'{lookup.label(m)}'" for m in ms)
        add("at-risk-goal", gid, f"Goal '{lookup.label(gid)}' is at risk: {names} "
            f"{'shows' if len(ms) == 1 else 'show'} special-cause variation of concern.",
            Evidence(paths=lookup.paths_to(gid, ms), related=ms))
    out.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.rule, f.node))
    return AuditReport(findings=out, classification=facts.classification,
                       counts=facts.counts, as_of=facts.as_of)


def audit(graph: QMSGraph, config: AlignmentConfig | None = None,
          concern: Iterable[str] | None = None) -> AuditReport:
    """Every rule over the whole graph. ``concern``: ids of measures whose SPC shows
    special-cause concern (see :func:`qmsgraph.spc.graph.concern_measures`)."""
    cfg = config or AlignmentConfig()
    return findings_from_facts(index_facts(graph, cfg, set(concern or ())), cfg,
                               Lookup(graph, index_of(graph)))


# ============================================================================ portfolio views

def unit_tree(graph: QMSGraph) -> dict[str, list[str]]:
    """Each unit with itself and every unit below it (via unitOf)."""
    below: dict[str, list[str]] = defaultdict(list)
    for s, _, t in graph.edge_keys("unitOf"):
        below[t].append(s)
    out = {}
    for uid in graph.ids("OrganisationalUnit"):
        seen, stack = {uid}, [uid]
        while stack:
            for c in below.get(stack.pop(), ()):
                if c not in seen:
                    seen.add(c)
                    stack.append(c)
        out[uid] = sorted(seen)
    return out


ASPECTS = ("QP", "QC", "QA", "QI")
ASSURANCE_CODES = _codes(lambda k: schema.is_a(k, "AssuranceActivity"))


def _balance_arrays(graph: QMSGraph, ix: Index, cfg: AlignmentConfig
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(unit positions, (n, 4) counts QP/QC/QA/QI of each node with the units below it)."""
    n = len(ix.ids)
    is_unit = np.isin(ix.kind, UNIT_CODES)
    is_measure = ix.kind == KIND_CODE["Measure"]
    is_process = ix.kind == KIND_CODE["Process"]
    live = (ix.kind == KIND_CODE["ImprovementProject"]) & np.isin(
        ix.project_status, [PROJECT_STATUS.index(x) for x in cfg.work_statuses])
    own = np.zeros((n, 4), dtype=np.int64)

    def count(edge: str, col: int, target: np.ndarray) -> None:
        s, t = ix.edges[edge]
        keep = is_unit[s] & target[t]
        own[:, col] += np.bincount(s[keep], minlength=n)

    everything = np.ones(n, dtype=bool)
    count("delivers", 0, everything)
    count("owns", 0, is_process & ix.driver)
    count("owns", 1, is_measure | (is_process & ~ix.driver))
    count("monitors", 1, is_measure | is_process)
    count("leads", 2, np.isin(ix.kind, ASSURANCE_CODES))
    count("leads", 3, live)
    units = np.flatnonzero(is_unit)
    cs, ps = ix.edges["unitOf"]
    parents_per_child = np.bincount(cs, minlength=n)
    parent = np.full(n, -1, dtype=np.int64)
    parent[cs] = ps
    depth = np.zeros(n, dtype=np.int64)
    tree = not len(cs) or parents_per_child.max() <= 1
    if tree:
        for _ in range(n + 2):
            new = np.where(parent >= 0, depth[np.maximum(parent, 0)] + 1, 0)
            if np.array_equal(new, depth):
                break
            depth = new
        else:  # depths never settle: a cycle in unitOf
            tree = False
    if tree:
        total = own.copy()
        for d in range(int(depth.max(initial=0)), 0, -1):
            at = np.flatnonzero((depth == d) & is_unit)
            np.add.at(total, parent[at], total[at])
        return units, total
    # unitOf is not a tree (a unit with two parents, or a cycle): add up each unit's set.
    total = np.zeros_like(own)
    for u, members in unit_tree(graph).items():
        total[ix.pos[u]] = own[[ix.pos[m] for m in members]].sum(axis=0)
    return units, total


def balance(graph: QMSGraph, config: AlignmentConfig | None = None
            ) -> dict[str, dict[str, int]]:
    """Activity per unit (with the units below it) in each QMS aspect.

    QP: services delivered and driver processes owned; QC: measures monitored or owned and
    mainstay/support processes owned; QA: assurance activities led; QI: live projects led.
    """
    cfg = config or AlignmentConfig()
    ix = index_of(graph)
    units, total = _balance_arrays(graph, ix, cfg)
    return dict(sorted((ix.ids[u], dict(zip(ASPECTS, map(int, total[u]), strict=True)))
                       for u in units.tolist()))


class Score(BaseModel):
    unit: str
    label: str
    aligned: int
    total: int
    score: float | None = Field(description="100 x aligned / total; None with no work.")


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
    for unit, members in unit_tree(graph).items():
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


class MatrixCell(BaseModel):
    row: str
    goal: str
    reaches: bool
    declared: bool


class XMatrix(BaseModel):
    goals: list[dict[str, Any]]
    projects: list[dict[str, Any]]
    measures: list[dict[str, Any]]
    project_cells: list[MatrixCell]
    measure_cells: list[MatrixCell]
    gaps: dict[str, list[str]]


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


# ============================================================================ check a project

class ProjectProposal(BaseModel):
    """A project a QI hub is asked to approve; it is not in the graph."""

    model_config = ConfigDict(extra="forbid")
    label: str = Field(min_length=1, max_length=500, examples=["Reduce falls on Ward 9"])
    aim: str | None = Field(None, max_length=2000, examples=[
        "Reduce inpatient falls on Ward 9 by 30% by March 2027"])
    unit: str | None = Field(None, description="Id of the leading unit.")
    measures: list[str] = Field(default_factory=list, description="Ids of measures it will "
                                "improve.")
    processes: list[str] = Field(default_factory=list, description="Ids of processes it "
                                 "touches.")
    declared_priority: str | None = Field(None, description="Id of the goal or objective it "
                                          "says it serves.")
    sponsor: str | None = Field(None, description="Id of the sponsoring person.")
    tier: Literal["project", "directorate", "system"] = "project"


class Alternative(BaseModel):
    goal: str
    label: str
    shared_measures: list[str]
    shared_processes: list[str]
    score: float


class Duplicate(BaseModel):
    project: str
    label: str
    units: list[str]
    shared_measures: list[str]


class ProjectCheck(BaseModel):
    verdict: Literal["aligned", "weak", "misaligned", "orphaned"]
    reasons: list[str]
    threads: list[Thread]
    alternatives: list[Alternative]
    duplicates: list[Duplicate]
    lacks: list[str]


def check_project(graph: QMSGraph, proposal: ProjectProposal,
                  config: AlignmentConfig | None = None) -> ProjectCheck:
    """Verdict on a proposed project, the thread it would have, where else it could align,
    the active projects it would duplicate, and what it lacks."""
    cfg = config or AlignmentConfig()
    problems = []
    for field, ids, kinds in (("measures", proposal.measures, ("Measure",)),
                              ("processes", proposal.processes, ("Process",)),
                              ("unit", [proposal.unit] if proposal.unit else [],
                               ("OrganisationalUnit",)),
                              ("declared_priority", [proposal.declared_priority]
                               if proposal.declared_priority else [],
                               ("StrategicGoal", "Objective")),
                              ("sponsor", [proposal.sponsor] if proposal.sponsor else [],
                               ("Person",))):
        for i in ids:
            node = graph.get(i)
            if node is None:
                problems.append(f"{field}: no node with id {i!r}")
            elif not any(schema.is_a(node.kind, k) for k in kinds):
                problems.append(f"{field}: {i!r} is a {node.kind}, not {' or '.join(kinds)}")
    if problems:
        raise ValidationError("; ".join(problems), field=problems[0].split(":")[0],
                              problems=problems)
    targets = sorted(set(proposal.measures) | set(proposal.processes))
    # Threads: through each measure/process, the shortest to each goal.
    best: dict[str, Thread] = {}
    for t in targets:
        for th in thread(graph, t).threads:
            edge_step = Step(node="(proposed)", kind="ImprovementProject", label=proposal.label,
                             edge="improves")
            cand = th.model_copy(update={"path": [edge_step, *th.path]})
            if th.goal not in best or len(cand.path) < len(best[th.goal].path):
                best[th.goal] = cand
    threads = sorted(best.values(), key=lambda t: (t.goal_status != "active", len(t.path),
                                                   t.goal))
    active = [t for t in threads if t.goal_status == "active"]
    reasons: list[str] = []
    declared_ok = True
    if proposal.declared_priority:
        d = proposal.declared_priority
        reach_nodes = set()
        for t in targets:
            reach_nodes |= set(_bfs(graph, t))
        declared_ok = d in reach_nodes and getattr(graph.node(d), "status", "active") == "active"
        if not declared_ok:
            reasons.append(f"It declares '{graph.node(d).label}', but none of its measures or "
                           "processes leads there.")
    if not threads:
        verdict = "orphaned"
        reasons.append("None of its measures or processes is linked to any strategic goal."
                       if targets else "It names no measure or process to improve.")
    elif not active:
        verdict = "misaligned"
        reasons.append("Its measures and processes serve only retired or deprioritised goals.")
    elif not declared_ok:
        verdict = "misaligned"
    else:
        verdict = "aligned"
    # What it lacks
    mkinds = {graph.node(m).measure_type for m in proposal.measures}
    lacks = []
    if not proposal.measures:
        lacks.append("no measure: name the measures that will show improvement")
    if "outcome" not in mkinds:
        lacks.append("no outcome measure")
    if "balancing" not in mkinds:
        lacks.append("no balancing measure (to catch harm elsewhere)")
    if not proposal.sponsor:
        lacks.append("no sponsor")
    if not proposal.aim:
        lacks.append("no aim statement")
    if verdict == "aligned" and (not proposal.measures or "outcome" not in mkinds
                                 or not proposal.sponsor):
        verdict = "weak"
        reasons.append("It is linked to an active goal but lacks: " + "; ".join(lacks) + ".")
    # Alternatives: active goals ranked by shared measures and processes.
    # A goal's contributors are the nodes whose thread reaches it: the index's masks say
    # which active goals each candidate node reaches, with no search per goal.
    ix = index_of(graph)
    measure_set, process_set = set(proposal.measures), set(proposal.processes)
    # Processes the proposal's measures measure, and measures of its processes
    near = {t for m in proposal.measures for t in graph.successors(m, "measures")}
    near |= {s for p in proposal.processes for s in graph.predecessors(p, "measures")}
    unit_work = {t for _, t in graph.out_keys(proposal.unit)} if proposal.unit else set()
    roles = {"Measure": "m", "Process": "p", "ImprovementProject": "j"}
    candidates = sorted(measure_set | process_set | near | unit_work)
    cand_kind = [graph.kind(x) for x in candidates]
    active = np.flatnonzero(ix.goal_status == 1)
    alts = []
    if candidates and len(active):
        cpos = np.array([ix.pos[x] for x in candidates], dtype=np.int64)
        reach = ix.has_bit(np.repeat(cpos, len(active)), np.tile(active, len(cpos))
                           ).reshape(len(cpos), len(active))
        for gi, g in enumerate(active.tolist()):
            hit = [(x, roles.get(k)) for x, k, r in zip(candidates, cand_kind,
                                                        reach[:, gi].tolist(), strict=True)
                   if r and k in roles]
            gm = {x for x, r in hit if r == "m"}
            gp = {x for x, r in hit if r == "p"}
            sm = sorted(measure_set & gm)
            sp = sorted(process_set & gp)
            score = 2 * len(sm) + 2 * len(sp) + len(near & (gm | gp))
            if proposal.unit:
                score += 0.5 * bool(unit_work & {x for x, _ in hit})
            if score > 0:
                gid = ix.ids[g]
                alts.append(Alternative(goal=gid, label=graph.label(gid), shared_measures=sm,
                                        shared_processes=sp, score=score))
    alts.sort(key=lambda a: (-a.score, a.goal))
    # Duplicates: active projects improving the same measures.
    dup_codes = {PROJECT_STATUS.index(x) for x in cfg.duplicate_statuses}
    shared_by: dict[str, set[str]] = defaultdict(set)
    for m in measure_set:
        for p in graph.predecessors(m, "improves"):
            if int(ix.project_status[ix.pos[p]]) in dup_codes:
                shared_by[p].add(m)
    dups = []
    for p, shared in shared_by.items():
        units = sorted(s for s in graph.predecessors(p, "leads")
                       if schema.is_a(graph.kind(s), "OrganisationalUnit"))
        dups.append(Duplicate(project=p, label=graph.label(p), units=units,
                              shared_measures=sorted(shared)))
    dups.sort(key=lambda d: (-len(d.shared_measures), d.project))
    if dups:
        reasons.append(f"{len(dups)} active project(s) already improve the same measures.")
    return ProjectCheck(verdict=verdict, reasons=reasons, threads=threads,
                        alternatives=alts[:5], duplicates=dups, lacks=lacks)


# ============================================================================ impact

class Impact(BaseModel):
    node: str
    kind: str
    label: str
    loses_thread: list[str] = Field(description=(
        "Nodes that reach an active goal now and would reach none without it."))
    goals_left_without_measure: list[str]
    goals_left_without_work: list[str]
    goals_supported: list[str] = Field(description="Active goals it contributes to now.")


def impact(graph: QMSGraph, node_id: str, config: AlignmentConfig | None = None) -> Impact:
    """What loses support if ``node_id`` is stopped or removed."""
    work_statuses = (config or AlignmentConfig()).work_statuses
    node = graph.node(node_id)
    up = _bfs(graph, node_id)
    goals = sorted(g for g in up if graph.kind(g) == "StrategicGoal"
                   and graph.node(g).status == "active")
    ancestors = [a for a in _bfs(graph, node_id, forward=False) if a != node_id]

    def active_goals_from(start: str, exclude: str | None) -> set[str]:
        return {g for g in _bfs(graph, start, exclude=exclude)
                if graph.kind(g) == "StrategicGoal" and graph.node(g).status == "active"}

    loses = sorted(a for a in ancestors
                   if active_goals_from(a, None) and not active_goals_from(a, node_id))
    no_measure, no_work = [], []
    for g in goals:
        before = _bfs(graph, g, forward=False)
        after = _bfs(graph, g, forward=False, exclude=node_id)
        kinds_before = Counter(graph.kind(n) for n in before)
        after_nodes = [n for n in after if n != node_id]
        kinds_after = Counter(graph.kind(n) for n in after_nodes)
        if kinds_before["Measure"] and not kinds_after["Measure"]:
            no_measure.append(g)
        live = lambda ns: [n for n in ns if graph.kind(n) == "Process" or (  # noqa: E731
            graph.kind(n) == "ImprovementProject"
            and graph.node(n).status in work_statuses)]
        if live(before) and not live(after_nodes):
            no_work.append(g)
    return Impact(node=node_id, kind=node.kind, label=node.label, loses_thread=loses,
                  goals_left_without_measure=no_measure, goals_left_without_work=no_work,
                  goals_supported=goals)

