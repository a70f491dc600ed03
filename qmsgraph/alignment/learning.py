"""Rules of the learning system, holding the gains, the Duty of Quality domains and the balance
of effort between the four aspects (issue 12).

Definitions shared by every store (the Neo4j store computes the same facts in Cypher, in
:mod:`qmsgraph.stores.neo4j.learning`; the oracle in ``tests/alignment/test_oracle.py``
recomputes them by brute force):

* **informs-nothing**: a feedback source, assurance activity, lesson or learning cycle with
  no ``informs`` edge out of it and no ``yields`` edge to a lesson that has one. Feedback at
  the centre of the QMS must reach a decision.
* **need-not-addressed**: a population need that no active strategic goal and no objective
  ``addresses``.
* **gains-not-held**: a project whose status is ``completed`` that ``improves`` a measure no
  unit ``monitors``: nobody watches the measure in daily control after the project ends
  (the hand-over from improvement to control). The evidence names the units the project
  ``handsOverTo``.
* **domain-without-measure**: an active goal that names quality domains some of which no
  measure reaching it on the thread carries.
* **domain-without-goal**: a purpose whose active goals name some quality domains but not
  all six (an organisation that tags none is not checked).
* **assurance-heavy-unit**: a unit, with the units below it, doing at least
  ``assurance_heavy_min`` assurance items and more assurance than planning, control and
  improvement together.
* **unit-without-planning**: a unit of a level in ``planning_levels`` (Board, system,
  directorate), with the units below it, doing control, assurance or improvement but no
  planning.

The balance counts are :func:`qmsgraph.alignment.balance`'s: a unit's own items per aspect
(planning: services delivered, driver processes owned, planning tools used; control: measures
and other processes owned, measures and processes monitored, control tools used; assurance:
assurance activities led, assurance tools used; improvement: live projects led, improvement
tools used), summed over the unit and every unit below it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .. import schema
from ..graph import QMSGraph
from .config import AlignmentConfig
from .results import Evidence, Facts

LEARNING_SOURCES = ("FeedbackSource", "AssuranceActivity", "Lesson", "LearningCycle")
TOOL_ASPECT = {"PlanningTool": 0, "ControlTool": 1, "AssuranceTool": 2, "ImprovementTool": 3}
ALL_DOMAINS = schema.QUALITY_DOMAINS


def _codes(pred: Callable[[str], bool]) -> list[int]:
    from .index import KIND_CODES

    return [i for i, k in enumerate(KIND_CODES) if pred(k)]


def effort_flags(rows: Iterable[tuple[str, str, dict[str, int]]], cfg: AlignmentConfig
                 ) -> tuple[list[tuple[str, dict[str, int]]], list[tuple[str, dict[str, int]]]]:
    """(assurance-heavy units, units without planning) from (unit, kind, QP/QC/QA/QI totals)
    rows; the thresholds live here only, for every store."""
    heavy, no_plan = [], []
    for uid, kind, row in sorted(rows, key=lambda r: r[0]):
        qp, qc, qa, qi = (row[a] for a in ("QP", "QC", "QA", "QI"))
        if qa >= cfg.assurance_heavy_min and qa > qp + qc + qi:
            heavy.append((uid, dict(row)))
        if kind in cfg.planning_levels and qp == 0 and qc + qa + qi > 0:
            no_plan.append((uid, dict(row)))
    return heavy, no_plan


def learning_facts(graph: QMSGraph, ix: Any, cfg: AlignmentConfig, bal_units: np.ndarray,
                   bal: np.ndarray, purpose_goals: dict[str, list[str]]) -> dict[str, Any]:
    """The facts of this module's rules from the array index (see the module docstring)."""
    from .index import ASPECTS, KIND_CODE

    ids, n, kind = ix.ids, len(ix.ids), ix.kind

    def outdeg(k: str, sel: np.ndarray | None = None) -> np.ndarray:
        s, t = ix.edges[k]
        if sel is not None:
            s = s[sel[t]]
        return np.bincount(s, minlength=n)

    is_lesson = kind == KIND_CODE["Lesson"]
    informs = outdeg("informs") > 0
    via_lesson = outdeg("yields", is_lesson & informs) > 0
    sources = np.isin(kind, _codes(lambda k: any(schema.is_a(k, s) for s in LEARNING_SOURCES)))
    informs_nothing = sorted(ids[i] for i in np.flatnonzero(
        sources & ~informs & ~via_lesson).tolist())

    a_s, a_t = ix.edges["addresses"]
    ok = (ix.goal_status[a_s] == 1) | (kind[a_s] == KIND_CODE["Objective"])
    addressed = np.bincount(a_t[ok], minlength=n) > 0
    needs = sorted(ids[i] for i in np.flatnonzero(
        (kind == KIND_CODE["PopulationNeed"]) & ~addressed).tolist())

    is_measure = kind == KIND_CODE["Measure"]
    is_unit = np.isin(kind, _codes(lambda k: schema.is_a(k, "OrganisationalUnit")))
    m_s, m_t = ix.edges["monitors"]
    monitored = np.bincount(m_t[is_unit[m_s]], minlength=n) > 0
    done = (kind == KIND_CODE["ImprovementProject"]) & (
        ix.project_status == schema.PROJECT_STATUSES.index("completed"))
    i_s, i_t = ix.edges["improves"]
    sel = done[i_s] & is_measure[i_t] & ~monitored[i_t]
    h_s, h_t = ix.edges["handsOverTo"]
    gains: dict[int, list[str]] = {}
    for p, m in zip(i_s[sel].tolist(), i_t[sel].tolist(), strict=True):
        gains.setdefault(p, []).append(ids[m])
    gains_not_held = sorted(
        (ids[p], sorted(ms), sorted(ids[u] for u in h_t[h_s == p].tolist()))
        for p, ms in gains.items())

    # Quality domains: only goals that name some are looked at (node fields, few nodes).
    domains_of: dict[str, list[str]] = {}

    def domains(nid: str) -> list[str]:
        got = domains_of.get(nid)
        if got is None:
            got = domains_of[nid] = list(getattr(graph.node(nid), "quality_domains", []) or [])
        return got

    unmeasured = []
    measure_idx = np.flatnonzero(is_measure)
    for g in np.flatnonzero(ix.goal_status == 1).tolist():
        want = domains(ids[g])
        if not want:
            continue
        reach = measure_idx[ix.has_bit(measure_idx, np.full(len(measure_idx), g))]
        have = {d for m in reach.tolist() for d in domains(ids[m])}
        missing = sorted(set(want) - have, key=ALL_DOMAINS.index)
        if missing:
            unmeasured.append((ids[g], missing))
    missing_goal = []
    for pid, goals in sorted(purpose_goals.items()):
        named = {d for gid in goals for d in domains(gid)}
        if named and len(named) < len(ALL_DOMAINS):
            missing_goal.append((pid, [d for d in ALL_DOMAINS if d not in named]))

    rows = [(ids[u], _kind_name(int(kind[u])),
             dict(zip(ASPECTS, map(int, bal[u]), strict=True))) for u in bal_units.tolist()]
    heavy, no_plan = effort_flags(rows, cfg)
    return {"informs_nothing": informs_nothing, "needs_unaddressed": needs,
            "gains_not_held": gains_not_held, "domain_unmeasured": sorted(unmeasured),
            "domains_missing": missing_goal, "assurance_heavy": heavy, "no_planning": no_plan}


def _kind_name(code: int) -> str:
    from .index import KIND_CODES

    return KIND_CODES[code]


def learning_ids(facts: Facts) -> set[str]:
    """Every node the findings of this module name (for a store to fetch labels at once)."""
    out = {*facts.informs_nothing, *facts.needs_unaddressed}
    for p, ms, us in facts.gains_not_held:
        out.update([p, *ms, *us])
    out.update(g for g, _ in facts.domain_unmeasured)
    out.update(p for p, _ in facts.domains_missing)
    out.update(u for u, _ in facts.assurance_heavy)
    out.update(u for u, _ in facts.no_planning)
    return out


def _names(lookup: Any, ids: list[str]) -> str:
    return ", ".join(f"'{lookup.label(i)}'" for i in ids)


def learning_findings(facts: Facts, cfg: AlignmentConfig, lookup: Any,
                      add: Callable[[str, str, str, Evidence | None], None]) -> None:
    """One finding per fact of this module, with a plain sentence and its evidence."""
    for nid in facts.informs_nothing:
        add("informs-nothing", nid, f"{lookup.kind(nid)} '{lookup.label(nid)}' informs "
            "nothing: no goal, need, process, service or project is recorded as changed by "
            "it, directly or through a lesson, so the learning loop is open. Record the "
            "decision it informed (informs), or the lesson it yielded.", None)
    for nid in facts.needs_unaddressed:
        add("need-not-addressed", nid, f"Population need '{lookup.label(nid)}' is addressed "
            "by no active strategic goal or objective. Link the goal or objective that "
            "addresses it, or record why it is not a priority.", None)
    for pid, ms, units in facts.gains_not_held:
        to = (f" It was handed over to {_names(lookup, units)}, which does not watch it: "
              "record that it monitors it." if units else " No hand-over to a unit is "
              "recorded: record which unit monitors it now.")
        add("gains-not-held", pid, f"Project '{lookup.label(pid)}' is completed but no unit "
            f"monitors {_names(lookup, ms)} in daily control, so nobody would see the gains "
            f"slip.{to}", Evidence(related=ms, details={"handed_over_to": units}))
    for gid, missing in facts.domain_unmeasured:
        add("domain-without-measure", gid, f"Goal '{lookup.label(gid)}' names the quality "
            f"domain(s) {', '.join(missing)}, but no measure on its thread carries "
            f"{'it' if len(missing) == 1 else 'them'}. Link a measure of "
            f"{'that domain' if len(missing) == 1 else 'those domains'} to the goal.",
            Evidence(details={"domains": missing}))
    for pid, missing in facts.domains_missing:
        add("domain-without-goal", pid, f"No active goal serving '{lookup.label(pid)}' names "
            f"the quality domain(s) {', '.join(missing)} (the Duty of Quality reports on all "
            "six). Record which goals serve them, or agree that they are not a priority this "
            "year.", Evidence(details={"domains": missing}))
    for uid, row in facts.assurance_heavy:
        add("assurance-heavy-unit", uid, f"'{lookup.label(uid)}' does {row['QA']} assurance "
            f"item(s) against {row['QP'] + row['QC'] + row['QI']} in planning, control and "
            "improvement together: assurance-heavy (the highest performing teams reduce "
            "assurance and build real-time control). Move some of that checking into daily "
            "control (measures the teams monitor).", Evidence(details=row))
    for uid, row in facts.no_planning:
        add("unit-without-planning", uid, f"'{lookup.label(uid)}' and the units below it do "
            "control, assurance or improvement but no planning: no service delivered, no "
            "driver process owned, no planning tool used. Record the services it delivers "
            "or the driver processes (planning) it owns.", Evidence(details=row))
