"""Threads, contributors, portfolio views, project checks and impact."""

from __future__ import annotations

import pytest

from qmsgraph.alignment import (
    ProjectProposal,
    audit,
    balance,
    check_project,
    contributors,
    impact,
    matrix,
    scores,
    thread,
)
from qmsgraph.errors import NotFoundError, ValidationError
from tests.alignment.builder import base, monthly


def test_thread_is_the_shortest_typed_path_up_to_the_purpose():
    g = base().graph
    t = thread(g, "Q1")
    assert not t.broken and len(t.threads) == 1
    path = t.threads[0].path
    assert [(s.node, s.edge) for s in path] == [
        ("Q1", "improves"), ("M1", "indicates"), ("O1", "contributesTo"), ("G1", "serves"),
        ("P", None)]
    assert t.threads[0].reaches_purpose


def test_thread_ties_are_broken_the_same_way_every_time():
    g = base().edge("M1", "indicates", "G1")  # now a shorter path exists too
    t = thread(g.graph, "Q1")
    assert [s.node for s in t.threads[0].path] == ["Q1", "M1", "G1", "P"]


def test_broken_thread_names_where_it_stops():
    g = base().node("Q2", "ImprovementProject").node("PR9", "Process").edge(
        "Q2", "improves", "PR9")
    t = thread(g.graph, "Q2")
    assert t.broken and t.threads == [] and t.last_reached == ["PR9"]
    with pytest.raises(NotFoundError):
        thread(g.graph, "nope")


def test_contributors_of_a_goal_grouped_with_paths():
    g = base().graph
    c = contributors(g, "G1")
    assert [x.node for x in c.projects] == ["Q1"]
    assert [x.node for x in c.processes] == ["PR0", "PR1"]  # PR0: the driver process
    assert [x.node for x in c.measures] == ["M1"]
    assert {x.node for x in c.units} == {"T1", "dir"}  # dir owns the driver process PR0
    assert c.projects[0].path[-1].node == "G1"
    with pytest.raises(ValidationError):
        contributors(g, "M1")


def test_matrix_counts_and_gaps():
    g = base().node("G2", "StrategicGoal").edge("G2", "serves", "P")
    g.node("Q2", "ImprovementProject").edge("Q2", "alignsTo", "G2")
    m = matrix(g.graph)
    goals = {x["id"]: x for x in m.goals}
    assert goals["G1"]["projects"] == 1 and goals["G1"]["measures"] == 1
    assert m.gaps["goals_without_projects"] == ["G2"]
    assert m.gaps["goals_without_measures"] == ["G2"]
    assert m.gaps["projects_without_active_goal"] == ["Q2"]
    cell = next(c for c in m.project_cells if c.row == "Q2")
    assert cell.declared and not cell.reaches


def test_balance_and_scores():
    g = base().node("T2", "Team").edge("T2", "unitOf", "dir").node(
        "Q2", "ImprovementProject").node("PR9", "Process").edge("Q2", "improves", "PR9").edge(
        "T2", "leads", "Q2")
    b = balance(g.graph)
    assert b["T1"] == {"QP": 0, "QC": 3, "QA": 0, "QI": 1}
    assert b["T2"] == {"QP": 0, "QC": 0, "QA": 0, "QI": 1}
    assert b["dir"]["QI"] == 2  # includes the teams below
    s = scores(g.graph)
    by_unit = {x.unit: x for x in s["units"]}
    assert by_unit["T1"].score == 100.0 and by_unit["T2"].score == 0.0
    assert by_unit["dir"].aligned == 4 and by_unit["dir"].total == 5  # with its PR0
    # overall: Q1, Q2, PR0, PR1, PR9, M1 -> 4 aligned of 6
    assert s["overall"].aligned == 4 and s["overall"].total == 6


def test_check_project_verdicts():
    g = base().node("Gr", "StrategicGoal", status="retired").edge("Gr", "serves", "P").node(
        "M2", "Measure", measure_type="balancing").edge("M2", "indicates", "Gr").node(
        "M3", "Measure").edge("T1", "owns", "M3")
    g = g.graph
    ok = check_project(g, ProjectProposal(label="x", aim="a", measures=["M1"], sponsor="dr",
                                          declared_priority="G1", unit="T1"))
    assert ok.verdict == "aligned"
    assert [s.node for s in ok.threads[0].path][:2] == ["(proposed)", "M1"]
    assert [d.project for d in ok.duplicates] == ["Q1"]
    assert "no balancing measure (to catch harm elsewhere)" in ok.lacks
    weak = check_project(g, ProjectProposal(label="x", measures=["M1"]))
    assert weak.verdict == "weak" and "no sponsor" in weak.lacks
    retired = check_project(g, ProjectProposal(label="x", measures=["M2"], sponsor="dr"))
    assert retired.verdict == "misaligned"
    declared = check_project(g, ProjectProposal(label="x", measures=["M1"], sponsor="dr",
                                                declared_priority="Gr"))
    assert declared.verdict == "misaligned"
    orphan = check_project(g, ProjectProposal(label="x", measures=["M3"], unit="T1"))
    assert orphan.verdict == "orphaned"
    # It could align to G1: the team's other work is there.
    assert [a.goal for a in orphan.alternatives] == ["G1"]
    with pytest.raises(ValidationError, match="measures: no node with id 'nope'"):
        check_project(g, ProjectProposal(label="x", measures=["nope"]))
    with pytest.raises(ValidationError, match="is a Process, not Measure"):
        check_project(g, ProjectProposal(label="x", measures=["PR1"]))


def test_alternatives_rank_goals_by_shared_measures():
    g = base().node("G2", "StrategicGoal").edge("G2", "serves", "P").node(
        "M2", "Measure").edge("M2", "indicates", "G2").node("M3", "Measure").edge(
        "M3", "indicates", "G2")
    r = check_project(g.graph, ProjectProposal(label="x", measures=["M1", "M2", "M3"]))
    assert [a.goal for a in r.alternatives] == ["G2", "G1"]
    assert r.alternatives[0].shared_measures == ["M2", "M3"]


def test_impact_of_removing_a_measure_or_a_process():
    g = base().graph
    i = impact(g, "M1")
    assert i.loses_thread == ["Q1"]  # Q1 improves only M1
    assert i.goals_left_without_measure == ["G1"]
    assert i.goals_supported == ["G1"]
    assert i.goals_left_without_work == []  # PR1 still supports the goal
    p = impact(g, "PR1")
    assert p.loses_thread == [] and p.goals_left_without_work == []  # Q1 still there
    g2 = base().node("Q2", "ImprovementProject", status="completed").graph
    assert impact(g2, "Q1").goals_left_without_work == []


def test_audit_report_filter_and_summary():
    g = base().node("G2", "StrategicGoal").edge("G2", "serves", "P")
    r = audit(g.graph)
    assert {f.severity for f in r.filter(severity="error")} == {"error"}
    assert r.filter(rule="goal-without-work")[0].node == "G2"
    assert r.summary()["by_rule"] == {"goal-without-measure": 1, "goal-without-work": 1}
    assert r.filter(nodes=["G1"]) == []
    assert monthly([1, 2])[1]["date"].month == 2


def test_balance_rolls_up_a_tree_and_handles_two_parents_and_cycles():
    g = base().node("T2", "Team").edge("T2", "unitOf", "dir").node(
        "Q2", "ImprovementProject").edge("T2", "leads", "Q2")
    tree = balance(g.graph)
    assert tree["org"] == {"QP": 1, "QC": 3, "QA": 0, "QI": 2}  # QP: dir owns PR0
    g.node("dir2", "Directorate").edge("dir2", "unitOf", "org").edge("T2", "unitOf", "dir2")
    two = balance(g.graph)  # T2 under two directorates: counted once for the Board
    assert two["org"]["QI"] == 2 and two["dir2"]["QI"] == 1 and two["dir"]["QI"] == 2
    g.edge("org", "unitOf", "T1")  # a cycle: every unit in it sees the whole cycle
    cyc = balance(g.graph)
    assert cyc["T1"]["QI"] == cyc["org"]["QI"] == 2


def _random_graph(seed: int):
    import random

    from qmsgraph import schema
    from qmsgraph.graph import QMSGraph
    from qmsgraph.model import make_edge, make_node

    rnd = random.Random(seed)
    kinds = ["Mission", "StrategicGoal", "Objective", "Process", "Measure",
             "ImprovementProject", "Team", "Directorate", "Service"]
    g = QMSGraph()
    for i in range(40):
        k = rnd.choice(kinds)
        extra = {"Process": {"process_type": "mainstay"}, "Measure": {"measure_type": "outcome"},
                 "StrategicGoal": {"status": rnd.choice(["active", "retired"])}}.get(k, {})
        g.add_node(make_node({"kind": k, "id": f"n{i:02d}", "label": f"{k} {i}", **extra}))
    ids = [n.id for n in g.nodes()]
    for _ in range(90):
        s, t = rnd.sample(ids, 2)
        ok = [e for e in schema.EDGE_KINDS if schema.allowed(e, g.kind(s), g.kind(t))]
        if ok:
            e = rnd.choice(ok)
            if not g.has_edge(s, e, t):
                g.add_edge(make_edge(e, s, t))
    return g


@pytest.mark.parametrize("seed", range(8))
def test_index_walk_gives_the_same_threads_as_the_graph_walk(seed):
    from qmsgraph.alignment import index_of

    g = _random_graph(seed)
    ix = index_of(g)
    for n in g.nodes():
        assert thread(g, n.id) == thread(g, n.id, ix.thread_out), n.id
