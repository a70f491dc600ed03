"""Evidence for many findings from one search: the golden threads of a set of nodes, computed
together with the array index instead of one breadth-first search per finding.

:func:`reach_all` runs one multi-source, level-synchronous breadth-first search over the
thread edges (compiled numpy: each level expands every frontier pair at once through the
index's CSR). Each source keeps its own parent pointers, and neighbours are taken in (edge
kind, node id) order, the tie-break :func:`qmsgraph.alignment.threads._bfs` documents: a
level is expanded in discovery order, and a node's parent is the first frontier pair that
reaches it, exactly as a FIFO queue would. So :func:`threads_of` gives, for every source, the
same :class:`ThreadResult` as :func:`qmsgraph.alignment.threads.thread` (a test holds them
equal), and the audit builds the evidence of every work finding from this one traversal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import schema
from ..graph import QMSGraph
from .index import KIND_CODE, KIND_CODES, THREAD_KINDS, Index
from .results import Step, Thread, ThreadResult
from .threads import _bfs, _path_from, _purpose_tail, thread

_GOAL = KIND_CODE["StrategicGoal"]
_NOT_ENDS = np.array([i for i, k in enumerate(KIND_CODES)
                      if k == "StrategicGoal" or schema.is_a(k, "Purpose")], dtype=np.int16)


@dataclass
class Reach:
    """Pairs (source, node) in discovery order: ``source[p]`` (position in the sources),
    ``node[p]`` (slot), ``parent[p]`` (pair it was reached from, -1 for the start) and
    ``edge[p]`` (index into THREAD_KINDS of the edge from the parent, -1 for the start)."""

    source: np.ndarray
    node: np.ndarray
    parent: np.ndarray
    edge: np.ndarray


def _id_rank(ix: Index, slots: np.ndarray) -> np.ndarray:
    """Rank of each slot's id among ``slots`` in string order (for the tie-break)."""
    uniq, inverse = np.unique(slots, return_inverse=True)
    names = np.array([ix.ids[i] for i in uniq.tolist()], dtype=object)
    order = np.argsort(names, kind="stable")
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[order] = np.arange(len(uniq))
    return rank[inverse]


def reach_all(ix: Index, sources: np.ndarray) -> Reach:
    """Forward search over thread edges from every source at once (see the module doc)."""
    n = max(len(ix.ids), 1)
    m = len(sources)
    src = np.arange(m, dtype=np.int64)
    node = sources.astype(np.int64)
    parent = np.full(m, -1, dtype=np.int64)
    edge = np.full(m, -1, dtype=np.int64)
    parts = [(src, node, parent, edge)]
    seen = np.sort(src * n + node)
    f_pair = np.arange(m, dtype=np.int64)
    f_src, f_node = src, node
    total = m
    while len(f_node):
        start = ix.t_ptr[f_node]
        count = ix.t_ptr[f_node + 1] - start
        if not count.sum():
            break
        rep = np.repeat(np.arange(len(f_node)), count)
        offs = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        e = start[rep] + offs
        c_dst = ix.t_dst[e].astype(np.int64)
        c_kind = ix.t_kind[e].astype(np.int64)
        # frontier order first, then edge kind, then target id: the documented tie-break
        order = np.lexsort((_id_rank(ix, c_dst), c_kind, rep))
        rep, c_dst, c_kind = rep[order], c_dst[order], c_kind[order]
        c_src = f_src[rep]
        key = c_src * n + c_dst
        fresh = ~np.isin(key, seen, assume_unique=False)
        rep, c_dst, c_kind, c_src, key = (a[fresh] for a in (rep, c_dst, c_kind, c_src, key))
        _, first = np.unique(key, return_index=True)
        first.sort()  # the first pair that reaches a node wins, in discovery order
        rep, c_dst, c_kind, c_src, key = (a[first] for a in (rep, c_dst, c_kind, c_src, key))
        pair = np.arange(total, total + len(c_dst), dtype=np.int64)
        parts.append((c_src, c_dst, f_pair[rep], c_kind))
        total += len(c_dst)
        seen = np.union1d(seen, key)
        f_pair, f_src, f_node = pair, c_src, c_dst
    return Reach(*(np.concatenate([p[i] for p in parts]) for i in range(4)))


def threads_of(graph: QMSGraph, ix: Index, node_ids: list[str],
               tails: dict[str, list[Step]] | None = None) -> dict[str, ThreadResult]:
    """The :func:`~qmsgraph.alignment.threads.thread` of every node in ``node_ids``, from one
    :func:`reach_all` search."""
    if not node_ids:
        return {}
    tails = {} if tails is None else tails
    sources = np.array([ix.pos[x] for x in node_ids], dtype=np.int64)
    r = reach_all(ix, sources)
    ids = ix.ids
    kinds = ix.kind[r.node]
    # group the pairs by source (stable: discovery order kept within a source)
    by_src = np.argsort(r.source, kind="stable")
    bounds = np.searchsorted(r.source[by_src], np.arange(len(sources) + 1))
    is_goal = kinds == _GOAL
    no_out = (ix.t_ptr[r.node + 1] == ix.t_ptr[r.node]) & ~np.isin(kinds, _NOT_ENDS)
    step_cache: dict[int, tuple[str, str, str]] = {}

    def about(slot: int) -> tuple[str, str, str]:
        hit = step_cache.get(slot)
        if hit is None:
            nid = ids[slot]
            hit = step_cache[slot] = (nid, KIND_CODES[ix.kind[slot]], graph.label(nid))
        return hit

    parent, edge, node = r.parent.tolist(), r.edge.tolist(), r.node.tolist()
    out: dict[str, ThreadResult] = {}
    for s, nid in enumerate(node_ids):
        mine = by_src[bounds[s]:bounds[s + 1]]
        goals = sorted((ids[node[p]], p) for p in mine[is_goal[mine]].tolist())
        threads = []
        for gid, p in goals:
            chain: list[tuple[int, int]] = []  # (slot, edge code to the next step)
            nxt = -1
            while p >= 0:
                chain.append((node[p], nxt))
                nxt = edge[p]
                p = parent[p]
            chain.reverse()
            path = [Step(node=a, kind=k, label=lab,
                         edge=THREAD_KINDS[e] if e >= 0 else None)
                    for (slot, e) in chain for a, k, lab in (about(slot),)]
            tail = tails.get(gid)
            if tail is None:
                tail = tails[gid] = _purpose_tail(graph, gid)
            if tail:
                path[-1] = path[-1].model_copy(update={"edge": "serves"})
            goal = graph.node(gid)
            threads.append(Thread(goal=gid, goal_label=goal.label, goal_status=goal.status,
                                  path=path + tail, reaches_purpose=bool(tail)))
        threads.sort(key=lambda t: (t.goal_status != "active", len(t.path), t.goal))
        broken = not any(t.goal_status == "active" for t in threads)
        ends = sorted(ids[node[p]] for p in mine[no_out[mine]].tolist()) if broken else []
        nid_, kind_, label_ = about(int(sources[s]))
        out[nid] = ThreadResult(node=nid_, kind=kind_, label=label_, threads=threads,
                                broken=broken, last_reached=ends)
    return out


class Lookup:
    """How the findings phase reads labels and threads: from a graph, or from a store.

    With the array index, :meth:`prepare` finds the threads of every node that will need
    one in one :func:`threads_of` search; :meth:`thread` then hands them out."""

    def __init__(self, graph: QMSGraph, index: Index | None = None) -> None:
        self.graph = graph
        self.index = index
        self.out = index.thread_out if index is not None else None
        self.tails: dict[str, list[Step]] = {}
        self.ready: dict[str, ThreadResult] = {}

    def prepare(self, node_ids: list[str]) -> None:
        if self.index is not None:
            self.ready.update(threads_of(self.graph, self.index, node_ids, self.tails))

    def label(self, node_id: str) -> str:
        return self.graph.label(node_id)

    def kind(self, node_id: str) -> str:
        return self.graph.kind(node_id)

    def thread(self, node_id: str) -> ThreadResult:
        hit = self.ready.get(node_id)
        return hit if hit is not None else thread(self.graph, node_id, self.out, self.tails)

    def paths_to(self, goal_id: str, sources: list[str]) -> list[list[Step]]:
        parent = _bfs(self.graph, goal_id, forward=False)
        return [_path_from(self.graph, parent, m) for m in sources]
