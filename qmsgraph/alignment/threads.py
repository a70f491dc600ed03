"""Golden threads: breadth-first searches over thread edges with a fixed tie-break (edge kind, then
node id), the paths they give, and contributors to a goal.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable

from .. import schema
from ..errors import ValidationError
from ..graph import QMSGraph
from .results import Contributor, Contributors, Step, Thread, ThreadResult


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
