"""Each alignment rule fires on a small hand-made graph, and stays quiet on a clean one."""

from __future__ import annotations

import datetime as dt

import pytest

from qmsgraph.alignment import RULES, AlignmentConfig, audit
from tests.alignment.builder import base, monthly


def keys(report, rule=None):
    return {(f.rule, f.node) for f in report.findings if rule is None or f.rule == rule}


def test_the_clean_base_has_no_findings_and_its_project_is_aligned():
    r = audit(base().graph)
    assert r.findings == []
    assert r.classification == {"Q1": "aligned"}


# ---------------------------------------------------------------- orphaned-work
def test_orphaned_project_fires_with_the_break_point():
    g = base().node("Q2", "ImprovementProject", status="active").node(
        "M9", "Measure", data=monthly([1] * 12)).edge("T1", "owns", "M9").edge(
        "T1", "monitors", "M9").edge("Q2", "improves", "M9")
    r = audit(g.graph)
    assert ("orphaned-work", "Q2") in keys(r)
    f = next(f for f in r.findings if f.node == "Q2")
    assert f.severity == "error" and f.evidence.last_reached == ["M9"]
    assert "not linked to any strategic goal" in f.message
    assert r.classification["Q2"] == "orphaned"
    # the measure it improves is orphaned too (a warning)
    m9 = next(f for f in r.findings if f.node == "M9" and f.rule == "orphaned-work")
    assert m9.severity == "warning"


def test_completed_projects_are_not_work_and_not_orphaned():
    g = base().node("Q2", "ImprovementProject", status="completed")
    assert keys(audit(g.graph), "orphaned-work") == set()


# ---------------------------------------------------------------- misaligned-inactive-goal
def test_project_reaching_only_a_retired_goal_is_misaligned():
    g = base().node("Gr", "StrategicGoal", status="retired").node(
        "M2", "Measure", data=monthly([1] * 12)).node("Q2", "ImprovementProject")
    g.edge("Gr", "serves", "P").edge("M2", "indicates", "Gr").edge("T1", "owns", "M2").edge(
        "T1", "monitors", "M2").edge("Q2", "improves", "M2").edge("T1", "leads", "Q2")
    r = audit(g.graph)
    assert ("misaligned-inactive-goal", "Q2") in keys(r)
    assert r.classification["Q2"] == "misaligned"
    f = next(f for f in r.findings if f.node == "Q2")
    assert [s.node for s in f.evidence.paths[0]] == ["Q2", "M2", "Gr", "P"]


def test_project_reaching_an_active_and_a_retired_goal_is_aligned():
    g = base().node("Gr", "StrategicGoal", status="retired").edge("Gr", "serves", "P")
    g.edge("M1", "indicates", "Gr")
    r = audit(g.graph)
    assert keys(r, "misaligned-inactive-goal") == set()
    assert r.classification["Q1"] == "aligned"


# ---------------------------------------------------------------- declared-not-evidenced
def test_declared_priority_not_on_the_thread():
    g = base().node("G2", "StrategicGoal").edge("G2", "serves", "P").node(
        "M2", "Measure", data=monthly([1] * 12)).edge("M2", "indicates", "G2").edge(
        "T1", "owns", "M2").edge("T1", "monitors", "M2")
    g.node("Q2", "ImprovementProject").edge("Q2", "improves", "M1").edge("Q2", "alignsTo", "G2")
    g.edge("T1", "leads", "Q2").node("Q3", "ImprovementProject").edge(
        "Q3", "improves", "M2").edge("T1", "leads", "Q3")
    r = audit(g.graph)
    assert keys(r, "declared-not-evidenced") == {("declared-not-evidenced", "Q2")}
    assert r.classification["Q2"] == "misaligned"
    f = next(f for f in r.findings if f.node == "Q2")
    assert f.evidence.related == ["G2"] and "reaches" in f.message


def test_declared_retired_goal_is_not_evidence_even_if_reached():
    g = base().node("Gr", "StrategicGoal", status="retired").edge("Gr", "serves", "P")
    g.edge("M1", "indicates", "Gr").edge("Q1", "alignsTo", "Gr")
    assert ("declared-not-evidenced", "Q1") in keys(audit(g.graph))


def test_declared_objective_on_the_thread_is_evidenced():
    g = base().edge("Q1", "alignsTo", "O1")
    assert keys(audit(g.graph), "declared-not-evidenced") == set()


# ---------------------------------------------------------------- goal rules
def test_goal_without_measure_and_without_work():
    g = base().node("G2", "StrategicGoal").edge("G2", "serves", "P")
    r = audit(g.graph)
    assert ("goal-without-measure", "G2") in keys(r)
    assert ("goal-without-work", "G2") in keys(r)
    assert not {k for k in keys(r) if k[1] == "G1"}


def test_goal_with_a_measure_through_a_process_has_a_measure():
    g = base().node("G2", "StrategicGoal").edge("G2", "serves", "P").node(
        "PR2", "Process").edge("PR2", "supports", "G2").edge("T1", "owns", "PR2").node(
        "M2", "Measure", data=monthly([1] * 12)).edge("M2", "measures", "PR2").edge(
        "T1", "owns", "M2").edge("T1", "monitors", "M2")
    r = audit(g.graph)
    assert ("goal-without-measure", "G2") not in keys(r)
    assert ("goal-without-work", "G2") not in keys(r)


def test_retired_goals_need_no_measure():
    g = base().node("Gr", "StrategicGoal", status="retired").edge("Gr", "serves", "P")
    assert keys(audit(g.graph), "goal-without-measure") == set()


def test_goal_not_serving_purpose():
    g = base().node("G2", "StrategicGoal").edge("M1", "indicates", "G2").edge(
        "PR1", "supports", "G2")
    assert ("goal-not-serving-purpose", "G2") in keys(audit(g.graph))
    assert ("goal-not-serving-purpose", "G1") not in keys(audit(g.graph))


def test_too_many_priorities_uses_the_configured_maximum():
    g = base()
    for i in range(2, 6):
        g.node(f"G{i}", "StrategicGoal").edge(f"G{i}", "serves", "P").edge(
            "M1", "indicates", f"G{i}").edge("PR1", "supports", f"G{i}")
    assert keys(audit(g.graph), "too-many-priorities") == set()  # 5 <= default 6
    r = audit(g.graph, AlignmentConfig(max_active_goals=4))
    assert keys(r, "too-many-priorities") == {("too-many-priorities", "P")}
    assert "5 active strategic goals" in r.findings[0].message


# ---------------------------------------------------------------- measure rules
def test_measure_without_owner():
    g = base().node("M2", "Measure", data=monthly([1] * 12)).edge("M2", "indicates", "O1")
    g.edge("T1", "monitors", "M2")
    assert keys(audit(g.graph), "measure-without-owner") == {("measure-without-owner", "M2")}


def test_stale_measure_and_measure_without_data():
    g = base().node("M2", "Measure", data=monthly([1] * 8)).edge("M2", "indicates", "O1")
    g.edge("T1", "owns", "M2").edge("T1", "monitors", "M2")
    g.node("M3", "Measure").edge("M3", "indicates", "O1").edge("T1", "owns", "M3").edge(
        "T1", "monitors", "M3")
    r = audit(g.graph)
    assert keys(r, "stale-measure") == {("stale-measure", "M2")}  # 4 months behind M1
    assert keys(r, "measure-without-data") == {("measure-without-data", "M3")}
    f = next(f for f in r.findings if f.rule == "stale-measure")
    assert f.evidence.details["months"] == 4
    # Three months behind is within the default of 3 periods.
    g2 = base().node("M2", "Measure", data=monthly([1] * 9)).edge("M2", "indicates", "O1")
    g2.edge("T1", "owns", "M2").edge("T1", "monitors", "M2")
    assert keys(audit(g2.graph), "stale-measure") == set()
    # A configured reference date makes M1 stale too.
    r3 = audit(g.graph, AlignmentConfig(as_of=dt.date(2024, 6, 1)))
    assert ("stale-measure", "M1") in keys(r3)


def test_assurance_not_control():
    g = base().node("A1", "Audit").node("M2", "Measure", data=monthly([1] * 12))
    g.edge("M2", "indicates", "O1").edge("T1", "owns", "M2").edge("A1", "assures", "M2")
    g.edge("A1", "assures", "M1")  # M1 is monitored: fine
    assert keys(audit(g.graph), "assurance-not-control") == {("assurance-not-control", "M2")}


# ---------------------------------------------------------------- duplicated effort
def test_duplicated_effort_needs_two_units():
    g = base().node("T2", "Team").edge("T2", "unitOf", "dir").node(
        "Q2", "ImprovementProject").edge("Q2", "improves", "M1").edge("T1", "leads", "Q2")
    assert keys(audit(g.graph), "duplicated-effort") == set()  # same team twice
    g.node("Q3", "ImprovementProject").edge("Q3", "improves", "M1").edge("T2", "leads", "Q3")
    g.edge("T2", "monitors", "M1")
    r = audit(g.graph)
    assert keys(r, "duplicated-effort") == {("duplicated-effort", "M1")}
    f = next(f for f in r.findings if f.rule == "duplicated-effort")
    assert f.evidence.related == ["Q1", "Q2", "Q3"]
    assert set(f.evidence.details["units"]) == {"T1", "T2"}


def test_duplicated_effort_ignores_completed_projects():
    g = base().node("T2", "Team").node("Q3", "ImprovementProject", status="completed")
    g.edge("Q3", "improves", "M1").edge("T2", "leads", "Q3")
    assert keys(audit(g.graph), "duplicated-effort") == set()


# ---------------------------------------------------------------- balance
def test_unit_with_improvement_and_no_control():
    g = base().node("T2", "Team").edge("T2", "unitOf", "dir").node(
        "Q2", "ImprovementProject").edge("Q2", "improves", "PR1").edge("T2", "leads", "Q2")
    r = audit(g.graph)
    assert keys(r, "unbalanced-unit") == {("unbalanced-unit", "T2")}
    g.edge("T2", "monitors", "M1")
    assert keys(audit(g.graph), "unbalanced-unit") == set()


# ---------------------------------------------------------------- at-risk goals
def test_at_risk_goal_from_a_concerning_measure_on_its_thread():
    g = base()
    r = audit(g.graph, concern={"M1"})
    assert keys(r, "at-risk-goal") == {("at-risk-goal", "G1")}
    f = next(f for f in r.findings if f.rule == "at-risk-goal")
    assert [s.node for s in f.evidence.paths[0]] == ["M1", "O1", "G1"]
    assert keys(audit(g.graph, concern=set()), "at-risk-goal") == set()


def test_at_risk_is_not_raised_for_a_measure_on_another_thread():
    g = base().node("G2", "StrategicGoal").edge("G2", "serves", "P").node(
        "M2", "Measure", data=monthly([1] * 12)).edge("M2", "indicates", "G2")
    r = audit(g.graph, concern={"M2"})
    assert keys(r, "at-risk-goal") == {("at-risk-goal", "G2")}


# ---------------------------------------------------------------- configuration
def test_rules_can_be_disabled_and_severities_overridden():
    g = base().node("M2", "Measure", data=monthly([1] * 12)).edge("M2", "indicates", "O1")
    g.edge("T1", "monitors", "M2")
    r = audit(g.graph, AlignmentConfig(severities={"measure-without-owner": "error"}))
    assert [f.severity for f in r.findings if f.rule == "measure-without-owner"] == ["error"]
    r = audit(g.graph, AlignmentConfig(disabled_rules=["measure-without-owner"]))
    assert keys(r, "measure-without-owner") == set()


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_has_a_severity_and_a_description(rule):
    severity, text = RULES[rule]
    assert severity in ("error", "warning", "info") and len(text) > 20


def test_one_project_led_by_two_units_is_not_duplicated_effort():
    g = base().node("T2", "Team").edge("T2", "unitOf", "dir").edge("T2", "leads", "Q1")
    g.edge("T2", "monitors", "M1")
    assert keys(audit(g.graph), "duplicated-effort") == set()
