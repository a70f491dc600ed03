"""The columnar core: the graph's topology as typed arrays, for the embedded store.

A :class:`Core` is an immutable snapshot. Nodes are slots ``0..n-1`` with an id (a shared,
append-only list and an id -> slot dict), a kind code (-1 for a deleted slot) and the few
fields the questions read (goal and project status, the latest data point, the number of
points, whether a process is a driver). Edges are one forward and one reverse compressed
sparse row (CSR) over every edge kind, each slice sorted by (edge kind, node slot), plus a
small *delta* of edges added and removed since the CSR was built; the node fields likewise
have base arrays and a *patch* of the slots written since. Deltas and patches are persistent
hash-array-mapped tries (``immutables.Map``): a write makes a new Core that shares every
array and all but O(log n) of the tries, so its cost does not grow with the graph. When a
delta grows past a fraction of the base, it is folded into new base arrays (merged). Readers
that hold an older Core keep a consistent snapshot; questions over whole arrays read
:meth:`Core.facts`, the base arrays with the patch applied, built once per snapshot.

Node bodies (labels, fields, provenance, data points) are not here: the store reads them
when a question needs them (:class:`CoreGraph`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from immutables import Map

from .. import schema
from ..errors import NotFoundError

if TYPE_CHECKING:
    from ..model import Edge, Node

KINDS: list[str] = list(schema.NODE_KINDS)
KIND_CODE: dict[str, int] = {k: i for i, k in enumerate(KINDS)}
EDGE_KINDS: list[str] = sorted(schema.EDGE_KINDS)
EDGE_CODE: dict[str, int] = {k: i for i, k in enumerate(EDGE_KINDS)}
THREAD_CODES = np.array(sorted(EDGE_CODE[k] for k in schema.THREAD_EDGES), dtype=np.int8)
_IS_THREAD = np.zeros(len(EDGE_KINDS), dtype=bool)
_IS_THREAD[THREAD_CODES] = True
GOAL_STATUS = {"active": 1, "deprioritised": 2, "retired": 2}
PROJECT_STATUS = {s: i for i, s in enumerate(schema.PROJECT_STATUSES)}
_KEY = np.int64(len(EDGE_KINDS))


def months(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


@dataclass(frozen=True)
class NodeFacts:
    """What the core keeps of one node besides its id."""

    kind: str
    status: str | None = None
    process_type: str | None = None
    n_points: int = 0
    last_date: str | None = None  # ISO date of the latest data point

    @classmethod
    def of(cls, node: Node) -> NodeFacts:
        data = getattr(node, "data", None) or ()
        return cls(kind=node.kind, status=getattr(node, "status", None),
                   process_type=getattr(node, "process_type", None), n_points=len(data),
                   last_date=data[-1].date.isoformat() if data else None)


def _codes_of(facts: NodeFacts) -> tuple[int, int, int, int, int, bool]:
    k = facts.kind
    g = GOAL_STATUS.get(facts.status or "active", 2) if k == "StrategicGoal" else 0
    p = PROJECT_STATUS.get(facts.status or "", -1) if k == "ImprovementProject" else -1
    last = -1
    if k == "Measure" and facts.n_points and facts.last_date:
        last = months(dt.date.fromisoformat(facts.last_date[:10]))
    n_points = facts.n_points if k == "Measure" else 0
    return KIND_CODE[k], g, p, last, n_points, (k == "Process"
                                                and facts.process_type == "driver")


def _csr(src: np.ndarray, dst: np.ndarray, kind: np.ndarray, n: int
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ptr, other end, kind) sorted by (src, kind, dst)."""
    order = np.lexsort((dst, kind, src))
    ptr = np.zeros(n + 1, dtype=np.int64)
    if len(src):
        np.cumsum(np.bincount(src, minlength=n), out=ptr[1:])
    return ptr, dst[order].astype(np.int32), kind[order].astype(np.int8)


@dataclass(frozen=True)
class Core:
    """An immutable snapshot of the topology (see the module docstring)."""

    MERGE_AT: ClassVar[int] = 20_000  # delta size (edges) past which the CSR is rebuilt

    clock: int
    n: int
    ids: list[str]
    pos: dict[str, int]
    # node fields, base arrays (slots written since are in ``patch``; read them through
    # kind_code() for one slot and facts() for all)
    kind: np.ndarray          # int16, -1 = deleted slot
    goal_status: np.ndarray   # int8: 0 not a goal, 1 active, 2 inactive
    project_status: np.ndarray  # int8 into schema.PROJECT_STATUSES, -1 not a project
    last_point: np.ndarray    # int32 months since year 0 of the latest point, -1 none
    n_points: np.ndarray      # int32
    driver: np.ndarray        # bool
    nb: int                   # slots covered by the base CSR
    fptr: np.ndarray
    fdst: np.ndarray
    fkind: np.ndarray
    rptr: np.ndarray
    rsrc: np.ndarray
    rkind: np.ndarray
    patch: Map = field(default_factory=Map)      # slot -> the six field codes
    added_out: Map = field(default_factory=Map)  # slot -> ((edge kind, target), ...)
    added_in: Map = field(default_factory=Map)   # slot -> ((edge kind, source), ...)
    removed: Map = field(default_factory=Map)    # (src, kind, dst) -> True
    n_added: int = 0
    alive: int = 0
    n_edges: int = 0
    thread_rev: int = 0  # changes when the thread topology may have: thread edges, nodes
    edge_rev: int = 0    # added or deleted, kinds; edge_rev with any edge
    _memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # shared by a core and every snapshot evolved from it: work one snapshot may hand to the
    # next (the alignment index, reused while thread_rev stays the same)
    shared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    FIELDS: ClassVar[tuple[str, ...]] = ("kind", "goal_status", "project_status",
                                         "last_point", "n_points", "driver")
    _FILL: ClassVar[tuple[int, ...]] = (-1, 0, -1, -1, 0, 0)

    # ------------------------------------------------------------------ building
    @classmethod
    def build(cls, clock: int, ids: list[str], facts: dict[str, np.ndarray],
              src: np.ndarray, dst: np.ndarray, ekind: np.ndarray) -> Core:
        n = len(ids)
        pos = {nid: i for i, nid in enumerate(ids)}
        fptr, fdst, fkind = _csr(src, dst, ekind, n)
        rptr, rsrc, rkind = _csr(dst, src, ekind, n)
        kind = facts["kind"].astype(np.int16)
        return cls(clock=clock, n=n, ids=ids, pos=pos, kind=kind,
                   goal_status=facts["goal_status"].astype(np.int8),
                   project_status=facts["project_status"].astype(np.int8),
                   last_point=facts["last_point"].astype(np.int32),
                   n_points=facts["n_points"].astype(np.int32),
                   driver=facts["driver"].astype(bool), nb=n, fptr=fptr, fdst=fdst,
                   fkind=fkind, rptr=rptr, rsrc=rsrc, rkind=rkind,
                   alive=int((kind >= 0).sum()), n_edges=len(src))

    @classmethod
    def empty(cls, clock: int = 0) -> Core:
        z = np.zeros(0, dtype=np.int64)
        facts = {k: z for k in ("kind", "goal_status", "project_status", "last_point",
                                "n_points", "driver")}
        return cls.build(clock, [], facts, z, z, z.astype(np.int8))

    @staticmethod
    def facts_arrays(rows: Iterable[NodeFacts]) -> dict[str, np.ndarray]:
        cols = list(zip(*(_codes_of(f) for f in rows), strict=True)) or [()] * 6
        names = ("kind", "goal_status", "project_status", "last_point", "n_points", "driver")
        return {name: np.array(c, dtype=np.int64) for name, c in zip(names, cols, strict=True)}

    # ------------------------------------------------------------------ saving
    def facts(self) -> dict[str, np.ndarray]:
        """The node fields of slots ``0..n-1`` (base arrays with the patch applied), built
        once per snapshot."""
        got = self._memo.get("facts")
        if got is None:
            got = {}
            for j, (name, fill) in enumerate(zip(self.FIELDS, self._FILL, strict=True)):
                base = getattr(self, name)
                a = np.full(self.n, fill, dtype=base.dtype)
                m = min(len(base), self.n)
                a[:m] = base[:m]
                if len(self.patch):
                    slots = np.fromiter(self.patch.keys(), dtype=np.int64, count=len(self.patch))
                    a[slots] = [v[j] for v in self.patch.values()]
                got[name] = a
            self._memo["facts"] = got
        return got

    def kind_code(self, i: int) -> int:
        """The kind code of slot ``i`` (-1: deleted), patch first."""
        p = self.patch.get(i)
        if p is not None:
            return p[0]
        return int(self.kind[i]) if i < len(self.kind) else -1

    def arrays(self) -> dict[str, np.ndarray]:
        """Everything needed to restore this core (the delta merged)."""
        core = self.merged() if (self.n_added or self.removed or self.nb != self.n) else self
        f = core.facts()
        return {"ids": np.array(core.ids[:core.n], dtype=str) if core.n
                else np.zeros(0, dtype="<U1"),
                "kind": f["kind"], "goal_status": f["goal_status"],
                "project_status": f["project_status"], "last_point": f["last_point"],
                "n_points": f["n_points"], "driver": f["driver"], "fptr": core.fptr,
                "fdst": core.fdst, "fkind": core.fkind, "rptr": core.rptr,
                "rsrc": core.rsrc, "rkind": core.rkind,
                "meta": np.array([core.clock, core.n, core.n_edges], dtype=np.int64)}

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray]) -> Core:
        clock, n, n_edges = (int(x) for x in a["meta"])
        ids = a["ids"].tolist()
        if len(ids) != n or len(a["fptr"]) != n + 1 or len(a["fdst"]) != n_edges:
            raise ValueError("inconsistent core snapshot")
        kind = a["kind"]
        return cls(clock=clock, n=n, ids=ids, pos={nid: i for i, nid in enumerate(ids)},
                   kind=kind, goal_status=a["goal_status"],
                   project_status=a["project_status"], last_point=a["last_point"],
                   n_points=a["n_points"], driver=a["driver"], nb=n, fptr=a["fptr"],
                   fdst=a["fdst"], fkind=a["fkind"], rptr=a["rptr"], rsrc=a["rsrc"],
                   rkind=a["rkind"], alive=int((kind >= 0).sum()), n_edges=n_edges)

    # ------------------------------------------------------------------ nodes
    def slot(self, node_id: str) -> int | None:
        i = self.pos.get(node_id)
        if i is None or i >= self.n or self.kind_code(i) < 0:
            return None
        return i

    def __contains__(self, node_id: object) -> bool:
        return isinstance(node_id, str) and self.slot(node_id) is not None

    def kind_of(self, node_id: str) -> str:
        i = self.slot(node_id)
        if i is None:
            raise NotFoundError(f"no node with id {node_id!r}")
        return KINDS[self.kind_code(i)]

    def alive_slots(self) -> np.ndarray:
        return np.flatnonzero(self.facts()["kind"] >= 0)

    # ------------------------------------------------------------------ edges
    def out(self, i: int) -> list[tuple[int, int]]:
        """(edge kind code, target slot) of the edges out of slot ``i``."""
        return self._adj(i, self.fptr, self.fdst, self.fkind, self.added_out, True)

    def inc(self, i: int) -> list[tuple[int, int]]:
        """(edge kind code, source slot) of the edges into slot ``i``."""
        return self._adj(i, self.rptr, self.rsrc, self.rkind, self.added_in, False)

    def _adj(self, i: int, ptr: np.ndarray, other: np.ndarray, kinds: np.ndarray,
             added: dict[int, tuple[tuple[int, int], ...]], forward: bool
             ) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        if i < self.nb:
            a, b = int(ptr[i]), int(ptr[i + 1])
            if a != b:
                out = list(zip(kinds[a:b].tolist(), other[a:b].tolist(), strict=True))
                if self.removed:
                    rm = self.removed
                    out = [(k, j) for k, j in out
                           if ((i, k, j) if forward else (j, k, i)) not in rm]
        extra = added.get(i)
        if extra:
            out.extend(extra)
        return out

    def has_edge(self, s: int, k: int, t: int) -> bool:
        if (k, t) in self.added_out.get(s, ()):
            return True
        if (s, k, t) in self.removed or s >= self.nb or t >= self.nb:
            return False
        a, b = int(self.fptr[s]), int(self.fptr[s + 1])
        if a == b:
            return False
        seg_k, seg_t = self.fkind[a:b], self.fdst[a:b]
        return bool(((seg_k == k) & (seg_t == t)).any())

    def edge_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(src, dst, kind) of every edge, base then added."""
        src = np.repeat(np.arange(self.nb, dtype=np.int64), np.diff(self.fptr))
        dst = self.fdst.astype(np.int64)
        kind = self.fkind.astype(np.int64)
        if self.removed:
            rm = np.array(sorted(self.removed.keys()), dtype=np.int64).reshape(-1, 3)
            n = max(self.n, 1)
            keys = (src * _KEY + kind) * n + dst
            rkeys = (rm[:, 0] * _KEY + rm[:, 1]) * n + rm[:, 2]
            keep = ~np.isin(keys, rkeys)
            src, dst, kind = src[keep], dst[keep], kind[keep]
        if self.n_added:
            trip = [(s, k, t) for s, lst in self.added_out.items() for k, t in lst]
            a = np.array(trip, dtype=np.int64).reshape(-1, 3)
            src = np.concatenate([src, a[:, 0]])
            kind = np.concatenate([kind, a[:, 1]])
            dst = np.concatenate([dst, a[:, 2]])
        return src, dst, kind

    def edges_of_kind(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        src, dst, kind = self.edge_arrays()
        order = np.argsort(kind, kind="stable")
        src, dst, kind = src[order], dst[order], kind[order]
        bounds = np.searchsorted(kind, np.arange(len(EDGE_KINDS) + 1))
        return {k: (src[bounds[c]:bounds[c + 1]], dst[bounds[c]:bounds[c + 1]])
                for c, k in enumerate(EDGE_KINDS)}

    def kind_counts(self) -> tuple[dict[str, int], dict[str, int]]:
        kind = self.facts()["kind"]
        nk = np.bincount(kind[kind >= 0], minlength=len(KINDS))
        _, _, kind = self.edge_arrays()
        ek = np.bincount(kind, minlength=len(EDGE_KINDS))
        return ({KINDS[i]: int(c) for i, c in enumerate(nk) if c},
                {EDGE_KINDS[i]: int(c) for i, c in enumerate(ek) if c})

    # ------------------------------------------------------------------ writing
    def evolve(self, clock: int, upserts: dict[str, NodeFacts], deleted: Iterable[str],
               add_edges: Iterable[tuple[str, str, str]],
               del_edges: Iterable[tuple[str, str, str]]) -> Core:
        """A new snapshot with these changes (deletions first). Shares the base arrays and
        all of the deltas it does not change: the cost is that of the changes."""
        deleted = [d for d in deleted if d not in upserts or self.slot(d) is None]
        new_ids = [nid for nid in upserts if nid not in self.pos]
        n = self.n + len(new_ids)
        for nid in new_ids:  # append-only: an older snapshot never sees slots >= its n
            self.pos[nid] = len(self.ids)
            self.ids.append(nid)
        pos = self.pos
        alive = self.alive
        patch = self.patch.mutate()
        topology = bool(new_ids or deleted)
        for nid in deleted:
            i = pos[nid]
            if self.kind_code(i) >= 0:
                alive -= 1
            patch[i] = (-1, 0, -1, -1, 0, False)
        for nid, facts in upserts.items():
            i = pos[nid]
            before = (patch.get(i) or (self.kind_code(i),))[0]
            if before < 0:
                alive += 1
            patch[i] = codes = _codes_of(facts)
            topology = topology or before != codes[0]
        added_out, added_in = self.added_out.mutate(), self.added_in.mutate()
        removed = self.removed.mutate()
        n_added, n_edges = self.n_added, self.n_edges
        del_edges, add_edges = list(del_edges), list(add_edges)
        topology = topology or any(k in schema.THREAD_EDGES for _, k, _ in del_edges + add_edges)
        for s, k, t in del_edges:
            si, ki, ti = pos[s], EDGE_CODE[k], pos[t]
            if (ki, ti) in added_out.get(si, ()):
                added_out[si] = tuple(x for x in added_out[si] if x != (ki, ti))
                added_in[ti] = tuple(x for x in added_in[ti] if x != (ki, si))
                n_added -= 1
            else:
                removed[(si, ki, ti)] = True
            n_edges -= 1
        for s, k, t in add_edges:
            si, ki, ti = pos[s], EDGE_CODE[k], pos[t]
            if (si, ki, ti) in removed:
                del removed[(si, ki, ti)]
            else:
                added_out[si] = (*added_out.get(si, ()), (ki, ti))
                added_in[ti] = (*added_in.get(ti, ()), (ki, si))
                n_added += 1
            n_edges += 1
        core = replace(self, clock=clock, n=n, patch=patch.finish(),
                       added_out=added_out.finish(), added_in=added_in.finish(),
                       removed=removed.finish(), n_added=n_added, alive=alive,
                       n_edges=n_edges, _memo={},
                       thread_rev=self.thread_rev + topology,
                       edge_rev=self.edge_rev + bool(del_edges or add_edges))
        if len(core.patch) > max(self.MERGE_AT, n // 20):
            f = core.facts()
            core = replace(core, patch=Map(), _memo={"facts": f}, **f)
        if n_added + len(core.removed) > max(self.MERGE_AT, self.n_edges // 20):
            core = core.merged()
        return core

    def merged(self) -> Core:
        """The same snapshot with the delta folded into a new base CSR."""
        src, dst, kind = self.edge_arrays()
        fptr, fdst, fkind = _csr(src, dst, kind, self.n)
        rptr, rsrc, rkind = _csr(dst, src, kind, self.n)
        return replace(self, nb=self.n, fptr=fptr, fdst=fdst, fkind=fkind, rptr=rptr,
                       rsrc=rsrc, rkind=rkind, added_out=Map(), added_in=Map(),
                       removed=Map(), n_added=0, n_edges=len(src), _memo=self._memo)


# ====================================================================== a read view

BodyLoader = Callable[[list[str]], dict[str, "Node"]]
EdgeLoader = Callable[..., Iterator["Edge"]]  # (kind=None, source=None, target=None)


class CoreGraph:
    """The read side of :class:`~qmsgraph.graph.QMSGraph`, answered from a :class:`Core`.

    Kinds, statuses and edges come from the arrays; node bodies are loaded on demand with
    ``load`` (and kept for this snapshot), edges with provenance with ``load_edges``. The
    alignment engine asks only what it needs, so a question costs what it touches.
    """

    def __init__(self, core: Core, load: BodyLoader, load_edges: EdgeLoader,
                 labels: Callable[[list[str]], dict[str, str]] | None = None,
                 bodies: dict[str, Node] | None = None) -> None:
        self.core = core
        self._load = load
        self._load_edges = load_edges
        self._labels = labels
        self._bodies: dict[str, Node] = bodies if bodies is not None else {}
        self._label_cache: dict[str, str] = {}
        self.cache: dict[str, Any] = {}
        self.revision = core.clock

    def cached(self, name: str, build: Callable[[Any], Any]) -> Any:
        if name not in self.cache:
            self.cache[name] = build(self)
        return self.cache[name]

    # ------------------------------------------------------------------ nodes
    def __contains__(self, node_id: object) -> bool:
        return node_id in self.core

    def __len__(self) -> int:
        return self.core.alive

    def __bool__(self) -> bool:
        return True

    def node(self, node_id: str) -> Node:
        got = self.get(node_id)
        if got is None:
            raise NotFoundError(f"no node with id {node_id!r}")
        return got

    def get(self, node_id: str) -> Node | None:
        hit = self._bodies.get(node_id)
        if hit is not None:
            return hit
        if node_id not in self.core:
            return None
        got = self._load([node_id]).get(node_id)
        if got is not None:
            self._bodies[node_id] = got
        return got

    def prefetch(self, node_ids: Iterable[str]) -> None:
        missing = [n for n in node_ids if n not in self._bodies and n in self.core]
        for i in range(0, len(missing), 500):
            self._bodies.update(self._load(missing[i:i + 500]))

    def kind(self, node_id: str) -> str:
        return self.core.kind_of(node_id)

    def label(self, node_id: str) -> str:
        hit = self._bodies.get(node_id)
        if hit is not None:
            return hit.label
        lab = self._label_cache.get(node_id)
        if lab is None:
            if self._labels is None:
                return self.node(node_id).label
            if node_id not in self.core:
                raise NotFoundError(f"no node with id {node_id!r}")
            lab = self._labels([node_id])[node_id]
            self._label_cache[node_id] = lab
        return lab

    def ids(self, kind: str | None = None) -> list[str]:
        """Ids of every node, or of every node of ``kind`` (subclasses included)."""
        c = self.core
        slots = c.alive_slots()
        if kind is not None:
            codes = [KIND_CODE[k] for k in KINDS if schema.is_a(k, kind)]
            slots = slots[np.isin(c.facts()["kind"][slots], codes)]
        ids = c.ids
        return [ids[i] for i in slots.tolist()]

    def project_statuses(self) -> dict[str, str]:
        """Every project's status from the core's arrays (no node body read)."""
        c = self.core
        codes = c.facts()["project_status"]
        out = {}
        for n in self.ids("ImprovementProject"):
            code = int(codes[c.slot(n)])
            if code >= 0:
                out[n] = schema.PROJECT_STATUSES[code]
        return out

    def nodes(self, kind: str | None = None) -> Iterator[Node]:
        wanted = self.ids(kind)
        self.prefetch(wanted)
        for nid in wanted:
            # a cache shared with other threads may have let the body go since (a commit
            # changed the node): then it is read again
            node = self._bodies.get(nid) or self.get(nid)
            if node is not None:
                yield node

    # ------------------------------------------------------------------ edges
    def _pairs(self, node_id: str, forward: bool, kind: str | None) -> list[tuple[str, str]]:
        c = self.core
        i = c.slot(node_id)
        if i is None:
            raise NotFoundError(f"no node with id {node_id!r}")
        adj = c.out(i) if forward else c.inc(i)
        ids = c.ids
        if kind is None:
            return [(EDGE_KINDS[k], ids[j]) for k, j in adj]
        code = EDGE_CODE[kind]
        return [(kind, ids[j]) for k, j in adj if k == code]

    def successors(self, node_id: str, kind: str) -> list[str]:
        return [t for _, t in self._pairs(node_id, True, kind)]

    def predecessors(self, node_id: str, kind: str) -> list[str]:
        return [s for _, s in self._pairs(node_id, False, kind)]

    def out_keys(self, node_id: str) -> list[tuple[str, str]]:
        """(edge kind, target) of every edge out of the node."""
        return self._pairs(node_id, True, None)

    def in_keys(self, node_id: str) -> list[tuple[str, str]]:
        """(edge kind, source) of every edge into the node."""
        return self._pairs(node_id, False, None)

    def _thread(self, node_id: str, forward: bool) -> list[tuple[str, str]]:
        c = self.core
        i = c.pos[node_id]
        ids = c.ids
        return sorted((EDGE_KINDS[k], ids[j]) for k, j in (c.out(i) if forward else c.inc(i))
                      if _IS_THREAD[k])

    def thread_out(self, node_id: str) -> list[tuple[str, str]]:
        """Thread edges out of a node as sorted (edge kind, target) pairs."""
        return self._thread(node_id, True)

    def thread_in(self, node_id: str) -> list[tuple[str, str]]:
        """Thread edges into a node as sorted (edge kind, source) pairs."""
        return self._thread(node_id, False)

    def has_edge(self, source: str, kind: str, target: str) -> bool:
        c = self.core
        s, t = c.slot(source), c.slot(target)
        if s is None or t is None or kind not in EDGE_CODE:
            return False
        return c.has_edge(s, EDGE_CODE[kind], t)

    def edge_keys(self, kind: str | None = None) -> list[tuple[str, str, str]]:
        c = self.core
        src, dst, kinds = c.edge_arrays()
        if kind is not None:
            sel = kinds == EDGE_CODE.get(kind, -1)
            src, dst, kinds = src[sel], dst[sel], kinds[sel]
        ids = c.ids
        return [(ids[s], EDGE_KINDS[k], ids[t]) for s, k, t in zip(
            src.tolist(), kinds.tolist(), dst.tolist(), strict=True)]

    def edges(self, kind: str | None = None) -> Iterator[Edge]:
        return self._load_edges(kind)

    def out_edges(self, node_id: str, kind: str | None = None) -> list[Edge]:
        return list(self._load_edges(kind, source=node_id))

    def in_edges(self, node_id: str, kind: str | None = None) -> list[Edge]:
        return list(self._load_edges(kind, target=node_id))

    def edge(self, source: str, kind: str, target: str) -> Edge:
        for e in self._load_edges(kind, source=source, target=target):
            return e
        raise NotFoundError(f"no edge {source!r} -{kind}-> {target!r}")

    def stats(self) -> dict[str, Any]:
        nk, ek = self.core.kind_counts()
        c = self.core
        f = c.facts()
        return {"nodes": c.alive, "edges": c.n_edges,
                "data_points": int(f["n_points"][f["kind"] >= 0].sum()),
                "node_kinds": dict(sorted(nk.items())), "edge_kinds": dict(sorted(ek.items()))}


# ====================================================================== staging writes
