"""The array index of a graph that the vectorised rules read: kinds, statuses, edges per kind, and
for every node the bitmask of anchors (goals, objectives) its thread reaches.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .. import schema
from ..graph import QMSGraph
from .config import AlignmentConfig


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


# Anchors get a bit in every node's mask: goals, objectives and units' local priorities.
ANCHOR_CODES = _codes(lambda k: k in ("StrategicGoal", "Objective", "LocalPriority"))


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
    """The index straight from the embedded store's arrays: no per-node Python.

    While the thread topology stays the same (``core.thread_rev``: no thread edge, node or
    kind changed since the last index), the reachability part - components, anchor bits,
    masks, the thread CSR - is taken over from the last index built for an earlier snapshot
    of the same store, and only what writes can change besides is read afresh (statuses,
    data points, the other edges, the active goals' bits)."""
    ids = core.ids[:core.n]
    f = core.facts()
    last = core.shared.get("alignment-index")
    if last is not None and last[0] == core.thread_rev:
        prev: Index = last[2]
        edges = prev.edges if last[1] == core.edge_rev else core.edges_of_kind()
        ix = replace(prev, ids=ids, pos=SlotMap(core), kind=f["kind"],
                     goal_status=f["goal_status"], project_status=f["project_status"],
                     edges=edges, last_point=f["last_point"], n_points=f["n_points"],
                     driver=f["driver"], active_bits=_active_bits(prev, f["goal_status"]),
                     alive=core.alive)
    else:
        ix = _finish_index(ids, SlotMap(core), f["kind"], f["goal_status"],
                           f["project_status"], core.edges_of_kind(), f["last_point"],
                           f["n_points"], f["driver"])
        ix.alive = core.alive
    core.shared["alignment-index"] = (core.thread_rev, core.edge_rev, ix)
    return ix


def _active_bits(ix: Index, goal_status: np.ndarray) -> np.ndarray:
    """Per component, the bits of its active goals."""
    out = np.zeros_like(ix.active_bits)
    active = np.flatnonzero((goal_status == 1) & (ix.bit_word >= 0))
    np.bitwise_or.at(out, (ix.comp[active], ix.bit_word[active]), ix.bit_value[active])
    return out


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


def _months_to_date(m: int) -> dt.date:
    return dt.date(m // 12, m % 12 + 1, 1)


ASPECTS = ("QP", "QC", "QA", "QI")


ASSURANCE_CODES = _codes(lambda k: schema.is_a(k, "AssuranceActivity"))


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


def _balance_arrays(graph: QMSGraph, ix: Index, cfg: AlignmentConfig
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(unit positions, (n, 4) counts QP/QC/QA/QI of each node with the units below it)."""
    return _roll_up(graph, ix, _own_balance(ix, cfg))


def _own_balance(ix: Index, cfg: AlignmentConfig, weight: np.ndarray | None = None
                 ) -> np.ndarray:
    """(n, 4) QP/QC/QA/QI of each unit's own items (not those of the units below it): a
    count, or with ``weight`` (one per node) the sum of the items' weights."""
    n = len(ix.ids)
    is_unit = np.isin(ix.kind, UNIT_CODES)
    is_measure = ix.kind == KIND_CODE["Measure"]
    is_process = ix.kind == KIND_CODE["Process"]
    live = (ix.kind == KIND_CODE["ImprovementProject"]) & np.isin(
        ix.project_status, [PROJECT_STATUS.index(x) for x in cfg.work_statuses])
    own = np.zeros((n, 4), dtype=np.int64 if weight is None else np.float64)

    def count(edge: str, col: int, target: np.ndarray) -> None:
        s, t = ix.edges[edge]
        keep = is_unit[s] & target[t]
        if weight is None:
            own[:, col] += np.bincount(s[keep], minlength=n)
        else:
            own[:, col] += np.bincount(s[keep], weights=weight[t[keep]], minlength=n)

    everything = np.ones(n, dtype=bool)
    count("delivers", 0, everything)
    count("owns", 0, is_process & ix.driver)
    count("owns", 1, is_measure | (is_process & ~ix.driver))
    count("monitors", 1, is_measure | is_process)
    count("leads", 2, np.isin(ix.kind, ASSURANCE_CODES))
    count("leads", 3, live)
    for col, tool in enumerate(("PlanningTool", "ControlTool", "AssuranceTool",
                                "ImprovementTool")):
        count("uses", col, ix.kind == KIND_CODE[tool])
    return own


def _roll_up(graph: QMSGraph, ix: Index, own: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(unit positions, ``own`` of each unit added up with the units below it)."""
    n = len(ix.ids)
    is_unit = np.isin(ix.kind, UNIT_CODES)
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
