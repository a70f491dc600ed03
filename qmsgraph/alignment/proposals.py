"""Questions a QI hub asks before and during work: is a proposed project aligned (check_project),
and what loses support if a node stops (impact).
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from .. import schema
from ..errors import ValidationError
from ..graph import QMSGraph
from .config import AlignmentConfig
from .index import PROJECT_STATUS, index_of
from .results import Alternative, Duplicate, Impact, ProjectCheck, ProjectProposal, Step, Thread
from .threads import _bfs, thread


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
                               ("StrategicGoal", "Objective", "LocalPriority")),
                              ("sponsor", [proposal.sponsor] if proposal.sponsor else [],
                               schema.EDGE_KINDS["sponsors"].domain)):
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
    local = sorted({x for t in targets for x in _bfs(graph, t)
                    if graph.kind(x) == "LocalPriority"}) if not threads else []
    if local:
        verdict = "locally-aligned"
        names = ", ".join(f"'{graph.label(x)}'" for x in local)
        reasons.append(f"Its measures and processes serve the local priority {names}, which "
                       "is not linked to a Board goal: a legitimate local choice. If the "
                       "priority contributes to a Board goal, link it there.")
    elif not threads:
        verdict = "orphaned"
        reasons.append("None of its measures or processes is linked to any strategic goal: "
                       "link them to the goal the work serves, or record the local "
                       "priority it serves." if targets else
                       "It names no measure or process to improve.")
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
