"""The audit: facts computed as arrays from the index, then one finding per fact with a plain
sentence and its evidence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..graph import QMSGraph
from .config import SEVERITY_ORDER, AlignmentConfig
from .evidence import Lookup
from .index import (
    ASPECTS,
    KIND_CODE,
    PROJECT_STATUS,
    UNIT_CODES,
    _balance_arrays,
    _months,
    _months_to_date,
    index_of,
)
from .learning import _names, learning_facts, learning_findings
from .progress import level_name
from .results import RULES, WORK_RULES, AuditReport, Evidence, Facts, Finding


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
    local_only, locally_aligned, local_owners = _local_priorities(ix, work & ~reach_any)
    ds, dtg = ix.edges["alignsTo"]
    ok = ix.has_bit(ds, dtg) & (ix.goal_status[dtg] != 2) if len(ds) else np.zeros(0, bool)
    declared_bad: dict[str, list[str]] = defaultdict(list)
    for a, b in zip(ds[~ok].tolist(), dtg[~ok].tolist(), strict=True):
        if work[a]:
            declared_bad[ids[a]].append(ids[b])
    classification = dict(sorted(  # by id: the same order in every process and store
        (ids[i], ("locally-aligned" if local_only[i] else "orphaned") if not reach_any[i]
         else "misaligned" if (not reach_active[i] or ids[i] in declared_bad) else "aligned")
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
    purpose_map = {k: sorted(v) for k, v in purpose_goals.items()}
    more = learning_facts(graph, ix, cfg, bal_units, bal, purpose_map)
    return Facts.model_construct(  # built from trusted values: skip validation
        **more,
        orphaned=sorted(ids[i] for i in np.flatnonzero(work & ~reach_any & ~local_only
                                                       ).tolist()),
        locally_aligned=locally_aligned, local_owners=local_owners,
        inactive_only=sorted(ids[i] for i in np.flatnonzero(
            work & reach_any & ~reach_active).tolist()),
        declared_bad={k: sorted(v) for k, v in declared_bad.items()},
        classification=classification, active_goals=sorted(active_goals),
        purpose_goals=purpose_map,
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


def _local_priorities(ix: Any, off_goal: np.ndarray
                      ) -> tuple[np.ndarray, list[tuple[str, list[str]]], dict[str, list[str]]]:
    """Of the work reaching no goal, what reaches a unit's local priority: (mask, [(work,
    priorities reached)], priority -> owners)."""
    n, ids = len(ix.ids), ix.ids
    lps = np.flatnonzero(ix.kind == KIND_CODE["LocalPriority"])
    if not len(lps) or not off_goal.any():
        return np.zeros(n, dtype=bool), [], {}
    bits = np.zeros_like(ix.goal_bits)
    np.bitwise_or.at(bits, (ix.comp[lps], ix.bit_word[lps]), ix.bit_value[lps])
    local_only = off_goal & (ix.masks & bits[ix.comp]).any(axis=1)
    by_comp: dict[int, list[int]] = defaultdict(list)
    for lp in lps.tolist():
        by_comp[int(ix.comp[lp])].append(lp)
    out, used = [], set()
    for i in np.flatnonzero(local_only).tolist():
        cand = np.array(by_comp[int(ix.comp[i])], dtype=np.int64)
        hit = cand[ix.has_bit(np.full(len(cand), i), cand)].tolist()
        used.update(hit)
        out.append((ids[i], sorted(ids[x] for x in hit)))
    os_, ot = ix.edges["owns"]
    owners = {ids[lp]: sorted(ids[x] for x in os_[ot == lp].tolist()) for lp in sorted(used)}
    return local_only, sorted(out), dict(sorted(owners.items()))


_WHAT = {"ImprovementProject": "Project", "Measure": "Measure", "Process": "Process"}


_LINK_TO = {"ImprovementProject": "Link it to a measure or process that serves a goal, or "
            "record the local priority of the unit that it serves",
            "Measure": "Link it to the objective or goal it indicates, or record the local "
            "priority it indicates",
            "Process": "Link it to the goal, objective or service it supports, or record the "
            "local priority it supports"}


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

    if isinstance(lookup, Lookup):  # one search gives the evidence of every work finding
        lookup.prepare(sorted({*facts.orphaned, *facts.inactive_only, *facts.declared_bad,
                               *(w for w, _ in facts.locally_aligned)}))
    # work that declares a priority and reaches no goal at all gets one finding, the
    # declared-not-evidenced one: it names the goal claimed as well as where the thread stops
    # (orphaned-work would say the same thing again)
    said = set(facts.declared_bad) if "declared-not-evidenced" not in cfg.disabled_rules \
        else set()
    for nid in facts.orphaned:
        if nid in said:
            continue
        t = lookup.thread(nid)
        kind = lookup.kind(nid)
        if t.last_reached and t.last_reached != [nid]:
            ends = ", ".join(f"{lookup.label(e)} ({lookup.kind(e)})" for e in t.last_reached[:3])
            where = f"its thread stops at {ends}, which leads to no goal"
            first = t.last_reached[0]
            todo = (f"Link '{lookup.label(first)}' to the objective or goal it serves, or "
                    "record the local priority of the unit that this work serves")
        elif not t.last_reached:
            # every node it reaches has a thread edge onward: the thread goes round a cycle
            where = "its thread goes round in a cycle that reaches no goal"
            todo = ("Break the cycle and link the work to the objective or goal it serves, or "
                    "record the local priority of the unit that it serves")
        else:
            where = _NO_THREAD[kind]
            todo = _LINK_TO[kind]
        add("orphaned-work", nid, f"{_WHAT[kind]} '{lookup.label(nid)}' is not linked to any "
            f"strategic goal: {where}. {todo}.", Evidence(last_reached=t.last_reached))
    for nid, lps in facts.locally_aligned:
        t = lookup.thread(nid)
        kind = lookup.kind(nid)
        owned = []
        for lp in lps:
            who = facts.local_owners.get(lp, [])
            owned.append(f"'{lookup.label(lp)}'" + (
                f" (a priority of {_names(lookup, who)})" if who else ""))
        first = lps[0]
        add("locally-aligned", nid, f"{_WHAT[kind]} '{lookup.label(nid)}' serves the local "
            f"priority {', '.join(owned)}, which is not linked to a Board goal. That is a "
            f"legitimate local choice; if '{lookup.label(first)}' contributes to a Board goal "
            "or objective, link it there (contributesTo) so the Board sees this work.",
            Evidence(last_reached=t.last_reached, related=list(lps),
                     details={"owners": {lp: facts.local_owners.get(lp, []) for lp in lps}}))
    for nid in facts.inactive_only:
        t = lookup.thread(nid)
        goals = ", ".join(f"'{x.goal_label}' ({x.goal_status})" for x in t.threads)
        add("misaligned-inactive-goal", nid, f"'{lookup.label(nid)}' serves only goals the "
            f"Board no longer pursues: {goals}. Link it to an active goal it now serves, or "
            "agree to stop it.", Evidence(paths=[x.path for x in t.threads]))
    only_inactive = set(facts.inactive_only) \
        if "misaligned-inactive-goal" not in cfg.disabled_rules else set()
    for nid, targets in sorted(facts.declared_bad.items()):
        t = lookup.thread(nid)
        inactive = {x.goal: x.goal_status for x in t.threads if x.goal_status != "active"}
        unreached = [x for x in targets if x not in inactive]
        if nid in only_inactive and not unreached:
            # it declares goals its thread does reach and that are no longer pursued:
            # misaligned-inactive-goal has said so (with the goals' status) already
            continue
        parts = []
        if unreached:
            names = ", ".join(f"'{lookup.label(x)}'" for x in unreached)
            parts.append(f"'{lookup.label(nid)}' says it serves {names}, but nothing on its "
                         "thread leads there.")
        for g in (x for x in targets if x in inactive):
            parts.append(f"'{lookup.label(nid)}' says it serves '{lookup.label(g)}', which its "
                         f"thread does reach, but that goal is {inactive[g]}.")
        reached = [x for x in t.threads if x.goal_status == "active"]
        if reached:
            parts.append("Its thread reaches " + ", ".join(f"'{x.goal_label}'"
                                                            for x in reached) + " instead.")
        elif unreached:
            parts.append("Nothing on its thread reaches an active goal.")
        if unreached:
            parts.append(f"Link a measure or process of it to '{lookup.label(unreached[0])}' "
                         "if it really serves it, or correct the declared priority.")
        else:
            parts.append("Declare the active goal it now serves instead.")
        add("declared-not-evidenced", nid, " ".join(parts),
            Evidence(paths=[x.path for x in t.threads], last_reached=t.last_reached,
                     related=list(targets)))
    for gid, has_measure, has_work, serves in facts.active_goals:
        label = lookup.label(gid)
        if not has_measure:
            add("goal-without-measure", gid, f"Goal '{label}' has no measure, so the Board "
                "cannot tell whether it is being met. Link a measure that indicates it.")
        if not has_work:
            add("goal-without-work", gid, f"No live project or process contributes to goal "
                f"'{label}': it is an unresourced priority. Link the process or project that "
                "serves it, or agree that it waits.")
        if not serves:
            add("goal-not-serving-purpose", gid,
                f"Goal '{label}' is not linked to the organisation's purpose. Link it to the "
                "purpose it serves (serves), or retire it.")
    for pid, goals in sorted(facts.purpose_goals.items()):
        if len(goals) > cfg.max_active_goals:
            add("too-many-priorities", pid, f"{len(goals)} active strategic goals serve "
                f"'{lookup.label(pid)}'; more than {cfg.max_active_goals} dilutes the Board's "
                "focus. Agree which to deprioritise.", Evidence(related=goals))
    for mid in facts.unowned_measures:
        add("measure-without-owner", mid, f"Measure '{lookup.label(mid)}' has no owner: "
            "nobody is accountable for acting on it. Record the unit or person who owns it.")
    for mid in facts.measures_without_data:
        add("measure-without-data", mid, f"Measure '{lookup.label(mid)}' has no data. Load "
            "its data points, or retire the measure.")
    for mid, last in facts.stale_measures:
        assert facts.as_of is not None
        gap = _months(facts.as_of) - _months(last)
        add("stale-measure", mid, f"Measure '{lookup.label(mid)}' has had no data for {gap} "
            f"months (last point {last:%b %Y}). Load the missing months, or ask its owner "
            "why reporting stopped.",
            Evidence(details={"last_point": last.isoformat(),
                              "as_of": facts.as_of.isoformat(), "months": gap}))
    for mid, by in facts.assurance_not_control:
        add("assurance-not-control", mid, f"Measure '{lookup.label(mid)}' is checked by "
            "assurance but no team watches it in daily control: assurance and control are "
            "looking at different things. Record the team that monitors it day to day.",
            Evidence(related=by))
    for mid, projects, units in facts.duplicates:
        names = "; ".join(f"{lookup.label(u)}: {', '.join(ps)}" for u, ps in sorted(units.items()))
        add("duplicated-effort", mid, f"{len(projects)} active projects in {len(units)} "
            f"different units are improving '{lookup.label(mid)}' ({names}): join them up or "
            "share learning.", Evidence(related=projects, details={"units": units}))
    for unit, row in facts.unbalanced:
        add("unbalanced-unit", unit, f"'{lookup.label(unit)}' leads {row['QI']} improvement "
            "project(s) but watches no measure in daily control, so it cannot tell whether "
            "changes hold. Have it monitor the measures its projects improve.",
            Evidence(details=row))
    for gid, ms in sorted(facts.at_risk.items()):
        names = ", ".join(f"'{lookup.label(m)}'" for m in ms)
        add("at-risk-goal", gid, f"Goal '{lookup.label(gid)}' is at risk: {names} "
            f"{'shows' if len(ms) == 1 else 'show'} special-cause variation of concern. Review "
            f"{'its chart' if len(ms) == 1 else 'their charts'} with the owners and agree "
            "actions.",
            Evidence(paths=lookup.paths_to(gid, ms), related=ms))
    for pid, recorded, derived, nxt in facts.progress_unsupported:
        add("progress-not-evidenced", pid, f"Project '{lookup.label(pid)}' records progress "
            f"{recorded:.1f} ({level_name(recorded)}), but the graph evidences "
            f"{derived:.1f} ({level_name(derived)}). Record the evidence for the next level "
            f"- {nxt} - or record the level the evidence shows.",
            Evidence(details={"recorded": recorded, "derived": derived, "next": nxt}))
    learning_findings(facts, cfg, lookup, add)
    out.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.rule, f.node))
    return AuditReport(findings=out, classification=facts.classification,
                       counts=facts.counts, as_of=facts.as_of)


def audit(graph: QMSGraph, config: AlignmentConfig | None = None,
          concern: Iterable[str] | None = None,
          progress: list[tuple[str, float, float, str]] | None = None) -> AuditReport:
    """Every rule over the whole graph. ``concern``: ids of measures whose SPC shows
    special-cause concern (see :func:`qmsgraph.spc.graph.concern_measures`); ``progress``:
    recorded progress levels the evidence does not support (worked out from the graph
    when not given: :func:`qmsgraph.alignment.progress.unsupported`)."""
    cfg = config or AlignmentConfig()
    facts = index_facts(graph, cfg, set(concern or ()))
    if progress is None:
        from .progress import recorded_unsupported

        progress = recorded_unsupported(graph)
    facts.progress_unsupported = progress
    return findings_from_facts(facts, cfg, Lookup(graph, index_of(graph)))
