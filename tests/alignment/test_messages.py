"""Findings say what the graph shows (issue 15: messages that contradicted the graph)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from qmsgraph.alignment import ProjectProposal, audit, check_project
from qmsgraph.cli import app
from qmsgraph.stores import SQLiteStore, changes_from_graph
from tests.alignment.builder import base

runner = CliRunner()


def finding(report, rule: str, node: str):
    return next(f for f in report.findings if f.rule == rule and f.node == node)


def test_work_on_a_cycle_is_told_about_the_cycle_not_that_it_improves_nothing():
    g = base().node("Q2", "ImprovementProject", status="active")
    g.node("PA", "Process").node("PB", "Process")
    g.edge("PA", "partOf", "PB").edge("PB", "partOf", "PA").edge("Q2", "improves", "PA")
    r = audit(g.graph)
    msg = finding(r, "orphaned-work", "Q2").message
    assert "cycle" in msg and "improves no measure or process" not in msg


def test_a_declared_goal_that_is_reached_but_retired_is_called_retired():
    g = base().node("G2", "StrategicGoal", status="retired").node("O2", "Objective")
    g.node("M2", "Measure").node("Q2", "ImprovementProject", status="active")
    g.edge("O2", "contributesTo", "G2").edge("M2", "indicates", "O2").edge("M2", "indicates", "O1")
    g.edge("Q2", "improves", "M2").edge("Q2", "alignsTo", "G2")
    r = audit(g.graph)
    msg = finding(r, "declared-not-evidenced", "Q2").message
    assert "which its thread does reach, but that goal is retired" in msg
    assert "nothing on its thread leads there" not in msg


def test_declared_not_evidenced_on_a_measure_does_not_say_it_improves():
    g = base().node("G2", "StrategicGoal").node("M2", "Measure")
    g.edge("G2", "serves", "P").edge("M2", "indicates", "O1").edge("M2", "alignsTo", "G2")
    msg = finding(audit(g.graph), "declared-not-evidenced", "M2").message
    assert "improves" not in msg and "nothing on its thread leads there" in msg


def _store(g, tmp_path: Path) -> str:
    s = SQLiteStore(tmp_path / "m.qmsdb")
    s.apply(changes_from_graph(g.graph))
    s.close()
    return str(tmp_path / "m.qmsdb")


def test_thread_of_work_reaching_only_a_retired_goal_says_so(tmp_path: Path):
    g = base().node("G2", "StrategicGoal", status="deprioritised").node("M2", "Measure")
    g.node("Q2", "ImprovementProject", status="active")
    g.edge("G2", "serves", "P").edge("M2", "indicates", "G2").edge("Q2", "improves", "M2")
    store = _store(g, tmp_path)
    out = " ".join(runner.invoke(app, ["thread", "Q2", "--store", store]).output.split())
    assert "reaches only goals the Board no longer pursues" in out and "deprioritised" in out
    assert "stops at Q2" not in out


def test_thread_shows_a_declared_priority_it_does_not_reach(tmp_path: Path):
    g = base().node("G2", "StrategicGoal").edge("G2", "serves", "P")
    g.edge("Q1", "alignsTo", "G2")
    store = _store(g, tmp_path)
    out = " ".join(runner.invoke(app, ["thread", "Q1", "--store", store]).output.split())
    assert "declared but not evidenced" in out and "G2" in out
    data = json.loads(runner.invoke(app, ["thread", "Q1", "-f", "json", "--store",
                                          store]).output)
    assert data["broken"] is False  # it does reach G1: the thread itself is whole


def test_a_unit_may_sponsor_a_proposal():
    g = base()
    check = check_project(g.graph, ProjectProposal(label="x", measures=["M1"], unit="T1",
                                                   sponsor="T1", aim="x"))
    assert check.verdict in ("aligned", "weak")


def _declaring_but_unmeasured():
    # Q2 declares G1 but improves nothing: no thread to any goal, and a declaration unevidenced
    g = base().node("Q2", "ImprovementProject", status="active")
    return g.edge("Q2", "alignsTo", "G1")


def test_work_with_no_measure_that_declares_a_goal_is_reported_once():
    r = audit(_declaring_but_unmeasured().graph)
    about_q2 = [f for f in r.findings if f.node == "Q2"]
    assert [f.rule for f in about_q2] == ["declared-not-evidenced"], about_q2
    f = about_q2[0]
    assert f.severity == "error" and f.evidence.related == ["G1"]
    assert "nothing on its thread leads there" in f.message
    # it still counts as orphaned in the portfolio's classification
    assert r.classification["Q2"] == "orphaned"


def test_undeclared_work_with_no_measure_is_still_orphaned():
    g = base().node("Q2", "ImprovementProject", status="active")
    assert [f.rule for f in audit(g.graph).findings if f.node == "Q2"] == ["orphaned-work"]


def test_with_declared_not_evidenced_disabled_orphaned_work_is_reported():
    from qmsgraph.alignment import AlignmentConfig

    cfg = AlignmentConfig(disabled_rules=["declared-not-evidenced"])
    r = audit(_declaring_but_unmeasured().graph, cfg)
    assert [f.rule for f in r.findings if f.node == "Q2"] == ["orphaned-work"]


def _cycle():
    # PA and PB are parts of each other and of nothing else: a thread that never ends
    g = base().node("Q2", "ImprovementProject", status="active")
    g.node("PA", "Process").node("PB", "Process").node("M2", "Measure")
    g.edge("PA", "partOf", "PB").edge("PB", "partOf", "PA").edge("Q2", "improves", "PA")
    return g.edge("M2", "measures", "PA")


def test_a_measure_of_a_process_on_a_cycle_is_not_told_it_measures_no_process():
    msg = finding(audit(_cycle().graph), "orphaned-work", "M2").message
    assert "cycle" in msg and "measures no process" not in msg


def test_declared_not_evidenced_on_a_process_does_not_say_it_improves():
    g = base().node("G2", "StrategicGoal").node("PR2", "Process")
    g.edge("G2", "serves", "P").edge("PR2", "supports", "O1").edge("PR2", "alignsTo", "G2")
    msg = finding(audit(g.graph), "declared-not-evidenced", "PR2").message
    assert "improves" not in msg and "nothing on its thread leads there" in msg


def test_thread_on_a_cycle_does_not_say_it_stops_at_the_start(tmp_path: Path):
    store = _store(_cycle(), tmp_path)
    out = " ".join(runner.invoke(app, ["thread", "Q2", "--store", store]).output.split())
    assert "stops at Q2" not in out and "cycle" in out, out


def test_work_declaring_the_retired_goal_it_only_reaches_is_reported_once():
    g = base().node("G2", "StrategicGoal", status="retired").node("M2", "Measure")
    g.node("Q2", "ImprovementProject", status="active")
    g.edge("G2", "serves", "P").edge("M2", "indicates", "G2").edge("Q2", "improves", "M2")
    g.edge("Q2", "alignsTo", "G2")
    r = audit(g.graph)
    assert [f.rule for f in r.findings if f.node == "Q2"] == ["misaligned-inactive-goal"]
    assert "retired" in finding(r, "misaligned-inactive-goal", "Q2").message
    # a declared goal it does not reach is a second, different problem: both are reported
    g.node("G3", "StrategicGoal").edge("G3", "serves", "P").edge("Q2", "alignsTo", "G3")
    rules = sorted(f.rule for f in audit(g.graph).findings if f.node == "Q2")
    assert rules == ["declared-not-evidenced", "misaligned-inactive-goal"]


def test_check_project_does_not_offer_the_declared_goal_as_an_alternative(tmp_path: Path):
    store = _store(base(), tmp_path)
    proposal = tmp_path / "p.yaml"
    proposal.write_text("label: Falls huddles\nmeasures: [M1]\nunit: T1\n"
                        "declared_priority: G1\n", encoding="utf-8")
    out = runner.invoke(app, ["check-project", str(proposal), "--store", store]).output
    assert "Verdict:" in out and "could align to" not in out, out
    data = json.loads(runner.invoke(app, ["check-project", str(proposal), "-f", "json",
                                          "--store", store]).output)
    assert [a["goal"] for a in data["alternatives"]] == ["G1"]  # the data keeps the ranking
