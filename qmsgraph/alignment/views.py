"""Which nodes and edges each map shows (the store question behind every map view,
:meth:`qmsgraph.stores.Store.map_view`). Pure graph work, no drawing: the tests count the
nodes of a view here and compare with what the browser draws.

Views
-----
``system``   every node except people and roles (they appear in tooltips as owners, leads
             and sponsors); ``depth`` keeps only the top layers (0 purpose, 1 goals,
             2 objectives, 3 processes, services and measures, 4 projects and driver
             diagrams, 5 assurance, risk and learning, 6 units).
``unit``     a unit, the units below it (``depth`` levels; all by default), the units above
             it (context), its people, everything they own, lead, deliver, monitor or
             sponsor, and the golden threads of that work up to the purpose.
``thread``   the golden thread of ``focus``: its shortest thread to each goal it reaches, up
             to the purpose; when no active goal is reached, everything it does reach, with
             the break points (the last nodes reached) highlighted. ``depth`` adds the work
             feeding the focus, that many thread steps below it.
``goal``     a goal (or objective) with everything that contributes to it, and its own
             thread up to the purpose; ``depth`` keeps contributors at most that many thread
             steps away.
``findings`` the system view (or the unit view when ``unit`` is given) drawn so that work with
             findings stands out and clean work is muted.
``driver``   a project's driver diagram: its aim (the project), primary drivers, secondary
             drivers, change ideas and PDSA cycles, drawn left to right in columns, with the
             measures the project and its change ideas improve.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from .. import schema
from ..errors import NotFoundError, ValidationError
from ..graph import QMSGraph
from .threads import contributors, thread

VIEWS: tuple[str, ...] = ("system", "unit", "thread", "goal", "findings", "driver")
DRIVER_KINDS = ("ImprovementProject", "PrimaryDriver", "SecondaryDriver", "ChangeIdea",
                "PDSACycle")

# Layers for the system view's depth: 0 purpose, 1 goals, 2 objectives, 3 processes,
# services, measures and tools, 4 improvement work, 5 assurance, risk and learning, 6 units,
# 7 people, roles and their responsibilities.
_LAYER_KINDS: tuple[tuple[str, ...], ...] = (
    ("Purpose", "Mission", "Vision", "Value", "PopulationNeed"),
    ("StrategicGoal",),
    ("Objective", "LocalPriority"),
    ("Service", "Process", "Enabler", "Measure", "Tool", "PlanningTool", "ControlTool",
     "AssuranceTool", "ImprovementTool"),
    ("ImprovementProject", "PrimaryDriver", "SecondaryDriver", "ChangeIdea", "PDSACycle"),
    ("AssuranceActivity", "Audit", "Inspection", "Review", "Standard", "Risk", "Incident",
     "FeedbackSource", "Lesson", "LearningCycle"),
    ("HealthSystem", "Organisation", "Directorate", "OrganisationalUnit", "Team"),
    ("Person", "Role", "Responsibility"),
)
LAYER_OF_KIND: dict[str, int] = {k: i for i, ks in enumerate(_LAYER_KINDS) for k in ks}

PEOPLE = ("Person", "Role")
# Relations left out of the system view: they would tie every node to people, or cross the
# whole map (declared priorities and escalation routes are shown in tooltips instead).
SYSTEM_EXCLUDED_EDGES = frozenset({"sponsors", "memberOf", "holdsRole", "escalatesTo",
                                   "alignsTo"})
UNIT_EXCLUDED_EDGES = frozenset({"holdsRole", "escalatesTo"})
UNIT_WORK_EDGES = ("owns", "leads", "delivers", "monitors", "sponsors")


@dataclass
class MapView:
    """The content of one map: node ids, edges (source, kind, target) and what to stress."""

    view: str
    title: str
    summary: str
    nodes: list[str]
    edges: list[tuple[str, str, str]]
    focus: str | None = None
    unit: str | None = None
    breaks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def node_count(self) -> int:
        return len(self.nodes)


def _check_view(view: str) -> None:
    if view not in VIEWS:
        raise ValidationError(f"unknown view {view!r}; views: {', '.join(VIEWS)}",
                              field="view")


def _need(graph: QMSGraph, node_id: str | None, what: str) -> str:
    if not node_id:
        raise ValidationError(f"this view needs a {what} id", field=what)
    if node_id not in graph:
        raise NotFoundError(f"no node with id {node_id!r}")
    return node_id


def _check_depth(depth: int | None) -> None:
    if depth is not None and depth < 0:
        raise ValidationError("depth must be 0 or more", field="depth")


def _label(graph: QMSGraph, nid: str) -> str:
    return graph.node(nid).label


def _edges_among(graph: QMSGraph, nodes: Iterable[str], exclude: frozenset[str] = frozenset(),
                 only: frozenset[str] | None = None) -> list[tuple[str, str, str]]:
    keep = set(nodes)
    out = []
    for s in keep:
        for k, t in graph.out_keys(s):
            if t in keep and k not in exclude and (only is None or k in only):
                out.append((s, k, t))
    out.sort()
    return out


def thread_reach(graph: QMSGraph, starts: Iterable[str], forward: bool = True,
                 max_steps: int | None = None) -> dict[str, int]:
    """Nodes reached over thread edges from ``starts`` (forward: towards the purpose), with
    their distance in steps."""
    dist = {s: 0 for s in starts}
    queue = deque(dist)
    while queue:
        cur = queue.popleft()
        d = dist[cur]
        if max_steps is not None and d >= max_steps:
            continue
        for k, nxt in (graph.out_keys(cur) if forward else graph.in_keys(cur)):
            if k in schema.THREAD_EDGES and nxt not in dist:
                dist[nxt] = d + 1
                queue.append(nxt)
    return dist


def build_view(graph: QMSGraph, view: str, *, focus: str | None = None,
               unit: str | None = None, depth: int | None = None) -> MapView:
    """The nodes and edges of a map view (see the module docstring); raises
    :class:`~qmsgraph.errors.ValidationError` for a bad view or argument and
    :class:`~qmsgraph.errors.NotFoundError` for an unknown node."""
    _check_view(view)
    _check_depth(depth)
    if view == "system":
        return system_view(graph, depth)
    if view == "unit":
        return unit_view(graph, _need(graph, unit, "unit"), depth)
    if view == "thread":
        return thread_view(graph, _need(graph, focus, "focus"), depth)
    if view == "goal":
        return goal_view(graph, _need(graph, focus, "focus"), depth)
    if view == "driver":
        return driver_view(graph, _need(graph, focus, "focus"))
    # findings
    base = (unit_view(graph, _need(graph, unit, "unit"), depth) if unit
            else system_view(graph, depth))
    where = f"in '{_label(graph, unit)}' and the work it serves" if unit else "across the system"
    return MapView(view="findings", title="Findings map",
                   summary=f"Orphaned, misaligned and at-risk work {where} stands out; "
                           "work with no finding is muted.",
                   nodes=base.nodes, edges=base.edges, unit=unit, notes=base.notes)


def system_view(graph: QMSGraph, depth: int | None = None) -> MapView:
    nodes = []
    for nid in graph.ids():
        kind = graph.kind(nid)
        if kind in PEOPLE:
            continue
        if depth is not None and LAYER_OF_KIND[kind] > depth:
            continue
        nodes.append(nid)
    nodes.sort()
    summary = "The whole system, Board to floor: purpose, goals, objectives, processes and " \
              "measures, improvement work, assurance and the units that own it."
    if depth is not None:
        summary += f" Top {depth + 1} layer(s) only."
    return MapView(view="system", title="System map", summary=summary, nodes=nodes,
                   edges=_edges_among(graph, nodes, SYSTEM_EXCLUDED_EDGES))


def unit_view(graph: QMSGraph, unit: str, depth: int | None = None) -> MapView:
    u = graph.node(unit)
    if not schema.is_a(u.kind, "OrganisationalUnit"):
        raise ValidationError(f"{unit!r} is a {u.kind}, not an organisational unit",
                              field="unit")
    # the unit and the units below it, level by level
    below = {unit: 0}
    queue = deque([unit])
    while queue:
        cur = queue.popleft()
        if depth is not None and below[cur] >= depth:
            continue
        for child in sorted(graph.predecessors(cur, "unitOf")):
            if child not in below:
                below[child] = below[cur] + 1
                queue.append(child)
    above: list[str] = []
    cur_up = unit
    seen = set(below)
    while True:
        parents = sorted(p for p in graph.successors(cur_up, "unitOf") if p not in seen)
        if not parents:
            break
        above.append(parents[0])
        seen.add(parents[0])
        cur_up = parents[0]
    people = sorted({p for b in below for p in graph.predecessors(b, "memberOf")})
    work: set[str] = set()
    for src in list(below) + people:
        for k, t in graph.out_keys(src):
            if k in UNIT_WORK_EDGES and not (k == "sponsors" and src in people):
                work.add(t)
    reach = thread_reach(graph, work)
    nodes = sorted(set(below) | set(above) | set(people) | work | set(reach))
    n_units = len(below)
    summary = (f"'{u.label}'" + (f" and the {n_units - 1} unit(s) below it" if n_units > 1
                                 else "")
               + f": {len(work)} item(s) of work they own, lead, deliver, monitor or "
                 "sponsor, and the golden threads of that work up to the purpose.")
    return MapView(view="unit", title=f"Unit map: {u.label}", summary=summary, nodes=nodes,
                   edges=_edges_among(graph, nodes, UNIT_EXCLUDED_EDGES), unit=unit,
                   focus=unit)


def thread_view(graph: QMSGraph, focus: str, depth: int | None = None) -> MapView:
    tr = thread(graph, focus)
    nodes: set[str] = {focus}
    edges: set[tuple[str, str, str]] = set()
    for t in tr.threads:
        for a, b in zip(t.path, t.path[1:], strict=False):
            nodes.update((a.node, b.node))
            edges.add((a.node, a.edge or "", b.node))
    notes = []
    breaks: list[str] = []
    label = tr.label
    active = [t for t in tr.threads if t.goal_status == "active"]
    if tr.broken:
        reach = thread_reach(graph, [focus])
        nodes.update(reach)
        edges.update(_edges_among(graph, reach, only=schema.THREAD_EDGES))
        inactive = [t.goal for t in tr.threads]
        breaks = list(tr.last_reached) or inactive or [focus]
        if inactive and not tr.last_reached:
            names = ", ".join(f"'{t.goal_label}' ({t.goal_status})" for t in tr.threads)
            notes.append(f"Thread broken: '{label}' reaches only goals the Board no longer "
                         f"pursues: {names}.")
        else:
            ends = ", ".join(f"'{_label(graph, b)}'" for b in breaks)
            notes.append(f"Thread broken: '{label}' reaches no active strategic goal; the "
                         f"thread stops at {ends}.")
    else:
        names = ", ".join(f"'{t.goal_label}'" for t in active)
        notes.append(f"'{label}' reaches {len(active)} active goal(s): {names}.")
    for t in sorted(graph.successors(focus, "alignsTo")):  # by id: the same on every store
        nodes.add(t)
        edges.add((focus, "alignsTo", t))
        if t not in {x.goal for x in active} and not any(
                t in {s.node for s in x.path} for x in active):
            notes.append(f"It declares '{_label(graph, t)}', but its thread does not reach "
                         "it.")
    if depth:
        feed = thread_reach(graph, [focus], forward=False, max_steps=depth)
        nodes.update(feed)
        edges.update(e for e in _edges_among(graph, feed, only=schema.THREAD_EDGES))
    edges = {e for e in edges if e[1]}
    return MapView(view="thread", title=f"Golden thread: {label}",
                   summary=f"The golden thread of {tr.kind} '{label}' up to the purpose.",
                   nodes=sorted(nodes), edges=sorted(edges), focus=focus, breaks=breaks,
                   notes=notes)


def goal_view(graph: QMSGraph, goal: str, depth: int | None = None) -> MapView:
    c = contributors(graph, goal)
    nodes: set[str] = {goal}
    for group in (c.projects, c.processes, c.measures, c.units, c.other):
        for x in group:
            if depth is not None and len(x.path) - 1 > depth:
                continue
            nodes.update(s.node for s in x.path)
    for t in thread(graph, goal).threads:
        nodes.update(s.node for s in t.path)
    edges = _edges_among(graph, nodes, only=schema.THREAD_EDGES | {"unitOf", "monitors"})
    edges += sorted((s, "alignsTo", goal) for s in graph.predecessors(goal, "alignsTo")
                    if s in nodes)
    kinds = graph.node(goal).kind
    counts = ", ".join(f"{len(g)} {name}" for g, name in (
        (c.projects, "project(s)"), (c.processes, "process(es)"), (c.measures, "measure(s)"),
        (c.units, "unit(s)")) if g)
    return MapView(view="goal", title=f"Contributors: {c.label}",
                   summary=f"Everything that contributes to the "
                           f"{'goal' if kinds == 'StrategicGoal' else 'objective'} "
                           f"'{c.label}' ({c.status}): {counts or 'nothing yet'}.",
                   nodes=sorted(nodes), edges=edges, focus=goal)


def driver_view(graph: QMSGraph, project: str) -> MapView:
    """The driver diagram of ``project`` (see the module docstring)."""
    node = graph.node(project)
    if node.kind != "ImprovementProject":
        raise ValidationError(f"{project!r} is a {node.kind}, not an improvement project",
                              field="focus")
    below = thread_reach(graph, [project], forward=False)
    nodes = {n for n in below if graph.kind(n) in DRIVER_KINDS}
    measures = {t for n in nodes for k, t in graph.out_keys(n) if k == "improves"}
    nodes |= measures
    edges = _edges_among(graph, nodes, only=frozenset({"drives", "changes", "tests",
                                                        "improves"}))
    counts = {k: sum(1 for n in nodes if graph.kind(n) == k) for k in DRIVER_KINDS[1:]}
    aim = getattr(node, "aim", None)
    summary = (f"Aim: {aim}" if aim else f"The driver diagram of '{node.label}'") + (
        f" - {counts['PrimaryDriver']} primary driver(s), {counts['SecondaryDriver']} "
        f"secondary, {counts['ChangeIdea']} change idea(s), {counts['PDSACycle']} PDSA "
        "cycle(s).")
    notes = [] if len(nodes - measures) > 1 else [
        f"'{node.label}' has no driver diagram recorded yet."]
    return MapView(view="driver", title=f"Driver diagram: {node.label}", summary=summary,
                   nodes=sorted(nodes), edges=edges, focus=project, notes=notes)
