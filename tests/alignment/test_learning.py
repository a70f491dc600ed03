"""Issue 12: what the QMS frameworks ask that qmsgraph could not say or ask before - tools per
aspect, roles x aspects, the learning system (informs), holding the gains, the Duty of Quality
enablers and domains, cadence, balance of effort. Each rule fires on a small graph and stays
quiet on the clean base and when the gap is closed."""

from __future__ import annotations

import pytest

from qmsgraph import schema
from qmsgraph.alignment import RULES, AlignmentConfig, audit, balance
from qmsgraph.errors import ValidationError
from qmsgraph.model import make_node
from tests.alignment.builder import base

NEW_RULES = ("informs-nothing", "need-not-addressed", "gains-not-held",
             "domain-without-measure", "domain-without-goal", "assurance-heavy-unit",
             "unit-without-planning")


def keys(report, rule):
    return {f.node for f in report.findings if f.rule == rule}


def test_the_clean_base_is_quiet_under_the_new_rules():
    assert [f for f in audit(base().graph).findings if f.rule in NEW_RULES] == []


@pytest.mark.parametrize("rule", NEW_RULES)
def test_new_rules_are_declared(rule):
    sev, text = RULES[rule]
    assert sev in ("error", "warning", "info") and text


# ---------------------------------------------------------------- tools per aspect
@pytest.mark.parametrize(("kind", "aspect"), [
    ("PlanningTool", "QP"), ("ControlTool", "QC"), ("AssuranceTool", "QA"),
    ("ImprovementTool", "QI")])
def test_a_tool_of_each_aspect_can_be_said_and_counts_in_the_balance(kind, aspect):
    g = base().node("TL", kind, label="a tool", frequency="daily").edge("T1", "uses", "TL")
    assert schema.aspect(kind) == aspect
    before = balance(base().graph)["T1"]
    after = balance(g.graph)["T1"]
    assert after[aspect] == before[aspect] + 1
    assert balance(g.graph)["org"][aspect] == balance(base().graph)["org"][aspect] + 1


def test_a_visual_management_board_is_a_control_tool_not_orphaned_work():
    g = base().node("VMB", "ControlTool", label="Visual management board", frequency="daily")
    g.node("HUD", "ControlTool", label="Daily huddle").node("MFI", "ImprovementTool",
                                                           label="Model for Improvement")
    g.edge("T1", "uses", "VMB").edge("T1", "uses", "HUD").edge("Q1", "uses", "MFI")
    r = audit(g.graph)
    assert not [f for f in r.findings if f.node in ("VMB", "HUD", "MFI")]
    # the same board modelled as a process was orphaned work (the complaint)
    old = base().node("VMB", "Process", process_type="mainstay").edge("T1", "owns", "VMB")
    assert "VMB" in keys(audit(old.graph), "orphaned-work")


def test_a_team_using_control_tools_is_no_longer_unbalanced():
    g = base().node("T2", "Team").edge("T2", "unitOf", "dir").node(
        "Q2", "ImprovementProject").edge("Q2", "improves", "PR1").edge("T2", "leads", "Q2")
    assert keys(audit(g.graph), "unbalanced-unit") == {"T2"}
    g.node("SPC", "ControlTool", label="SPC chart").edge("T2", "uses", "SPC")
    assert keys(audit(g.graph), "unbalanced-unit") == set()


# ---------------------------------------------------------------- roles x aspects
def test_roles_carry_a_responsibility_in_each_aspect():
    g = base().node("R-TL", "Role", label="Team leader")
    for a in schema.QMS_ASPECTS:
        g.node(f"RS-{a}", "Responsibility", label=f"team leader in {a}", aspect=a)
        g.edge("R-TL", "hasResponsibility", f"RS-{a}")
    assert sorted(g.graph.node(x).aspect for x in g.graph.successors(
        "R-TL", "hasResponsibility")) == sorted(schema.QMS_ASPECTS)
    g.node("SU", "Role", label="Service user").node("AT", "AssuranceTool", label="Audit tool")
    g.edge("SU", "uses", "AT")
    assert [f for f in audit(g.graph).findings if f.rule in NEW_RULES] == []
    with pytest.raises(ValidationError, match="aspect"):
        make_node({"kind": "Responsibility", "id": "X", "label": "x", "aspect": "wishing"})


# ---------------------------------------------------------------- the learning system
def test_feedback_and_assurance_that_inform_nothing():
    g = base().node("FB", "FeedbackSource", label="Friends and family test").node(
        "AU", "Audit", label="Record-keeping audit", frequency="yearly").node(
        "LC", "LearningCycle", label="QMS 90-day cycle", phase="summarise",
        question="What does good look like?")
    r = audit(g.graph)
    assert keys(r, "informs-nothing") == {"FB", "AU", "LC"}
    g.edge("FB", "informs", "PR1").edge("AU", "informs", "Q1")
    g.node("L1", "Lesson", label="Board-level QMS needs a learning system")
    g.edge("LC", "yields", "L1")
    r = audit(g.graph)
    assert keys(r, "informs-nothing") == {"L1", "LC"}   # a lesson that informs nothing
    g.edge("L1", "informs", "G1")
    assert keys(audit(g.graph), "informs-nothing") == set()   # the cycle informs via it


def test_a_learning_cycle_is_never_orphaned_work():
    g = base().node("LC", "LearningCycle", label="90-day cycle", phase="scan").edge(
        "LC", "informs", "O1")
    r = audit(g.graph)
    assert not [f for f in r.findings if f.node == "LC"]
    assert "LC" not in r.classification


def test_a_need_no_goal_addresses():
    g = base().node("PN", "PopulationNeed", label="Severe mental illness: early death")
    assert keys(audit(g.graph), "need-not-addressed") == {"PN"}
    g.node("S", "Service").edge("S", "addresses", "PN")
    assert keys(audit(g.graph), "need-not-addressed") == {"PN"}   # a service is not a goal
    g.node("G9", "StrategicGoal", status="retired").edge("G9", "addresses", "PN")
    assert keys(audit(g.graph), "need-not-addressed") == {"PN"}   # nor a retired goal
    g.edge("G1", "addresses", "PN")
    assert keys(audit(g.graph), "need-not-addressed") == set()


def test_gains_not_held_and_the_hand_over():
    g = base().node("M2", "Measure", label="Restraint per 1000 bed days").edge(
        "T1", "owns", "M2").edge("M2", "indicates", "O1")
    g.node("Q9", "ImprovementProject", status="completed").edge("Q9", "improves", "M2")
    g.node("T2", "Team").edge("T2", "unitOf", "dir").edge("Q9", "handsOverTo", "T2")
    r = audit(g.graph)
    f = next(f for f in r.findings if f.rule == "gains-not-held")
    assert f.node == "Q9" and f.evidence.related == ["M2"]
    assert f.evidence.details == {"handed_over_to": ["T2"]}
    assert "handed over to 'Team T2'" in f.message
    # an active project on an unwatched measure is not a hand-over problem
    g2 = base().node("M2", "Measure").edge("T1", "owns", "M2").edge("M2", "indicates", "O1")
    g2.node("Q9", "ImprovementProject", status="active").edge("Q9", "improves", "M2")
    assert keys(audit(g2.graph), "gains-not-held") == set()
    g.edge("T2", "monitors", "M2")
    assert keys(audit(g.graph), "gains-not-held") == set()


# ---------------------------------------------------------------- Duty of Quality
def test_the_six_duty_of_quality_enablers_can_be_said():
    for t in schema.DOQ_ENABLERS:
        assert make_node({"kind": "Enabler", "id": "E", "label": "e", "enabler_type": t})
    assert len(schema.DOQ_ENABLERS) == 6 and "workforce" in schema.ENABLER_TYPES


def test_cadence_and_quadruple_aim_can_be_said():
    m = make_node({"kind": "Measure", "id": "M", "label": "m", "measure_type": "outcome",
                   "quadruple_aim": ["staff-experience"]})
    assert m.quadruple_aim == ["staff-experience"]
    assert make_node({"kind": "Process", "id": "P", "label": "p", "process_type": "driver",
                      "frequency": "yearly"}).frequency == "yearly"
    assert make_node({"kind": "Audit", "id": "A", "label": "a",
                      "frequency": "quarterly"}).frequency == "quarterly"
    with pytest.raises(ValidationError, match="frequency"):
        make_node({"kind": "Process", "id": "P", "label": "p", "process_type": "driver",
                   "frequency": "fortnightly-ish"})


def test_goal_domain_without_a_measure():
    g = base()
    g.graph.node("G1").quality_domains = ["safe", "equitable"]
    g.graph.touch()
    r = audit(g.graph)
    f = next(f for f in r.findings if f.rule == "domain-without-measure")
    assert f.node == "G1" and f.evidence.details == {"domains": ["safe", "equitable"]}
    g.graph.node("M1").quality_domains = ["equitable"]
    g.graph.touch()
    f = next(f for f in audit(g.graph).findings if f.rule == "domain-without-measure")
    assert f.evidence.details == {"domains": ["safe"]}
    # a measure carrying the domain but not on the goal's thread does not count
    g.node("M7", "Measure", quality_domains=["safe"]).edge("T1", "owns", "M7")
    assert keys(audit(g.graph), "domain-without-measure") == {"G1"}
    g.edge("M7", "indicates", "G1")
    assert keys(audit(g.graph), "domain-without-measure") == set()


def test_domains_no_goal_names():
    g = base()
    assert keys(audit(g.graph), "domain-without-goal") == set()   # no domains used: quiet
    g.graph.node("G1").quality_domains = ["safe", "timely"]
    g.graph.touch()
    f = next(f for f in audit(g.graph).findings if f.rule == "domain-without-goal")
    assert f.node == "P" and f.severity == "info"
    assert f.evidence.details == {"domains": ["effective", "efficient", "equitable",
                                              "person-centred"]}
    g.graph.node("G1").quality_domains = list(schema.QUALITY_DOMAINS)
    g.graph.touch()
    assert keys(audit(g.graph), "domain-without-goal") == set()


# ---------------------------------------------------------------- balance of effort
def test_assurance_heavy_unit_at_each_level():
    g = base()
    for i in range(5):
        g.node(f"A{i}", "Audit").edge("T1", "leads", f"A{i}").edge(f"A{i}", "informs", "PR1")
    r = audit(g.graph)
    # T1: QA 5 against QC 3 + QI 1; dir and org add the driver process (QP 1): 5 = 5
    assert keys(r, "assurance-heavy-unit") == {"T1"}
    assert next(f for f in r.findings if f.rule == "assurance-heavy-unit"
                ).evidence.details == {"QP": 0, "QC": 3, "QA": 5, "QI": 1}
    g.node("AT1", "AssuranceTool").edge("dir", "uses", "AT1")
    g.node("AT2", "AssuranceTool").edge("org", "uses", "AT2")
    assert keys(audit(g.graph), "assurance-heavy-unit") == {"T1", "dir", "org"}
    cfg = AlignmentConfig(assurance_heavy_min=10)
    assert keys(audit(g.graph, cfg), "assurance-heavy-unit") == set()


def test_board_and_directorate_without_planning():
    g = base()
    g.graph.remove_edge("dir", "owns", "PR0")
    g.edge("T1", "owns", "PR0")   # the team owns the driver process: planning below dir
    assert keys(audit(g.graph), "unit-without-planning") == set()
    g.graph.remove_edge("T1", "owns", "PR0")
    g.graph.touch()
    assert keys(audit(g.graph), "unit-without-planning") == {"org", "dir"}   # not the team
    g.node("SM", "PlanningTool", label="Service model").edge("org", "uses", "SM")
    assert keys(audit(g.graph), "unit-without-planning") == {"dir"}
    cfg = AlignmentConfig(planning_levels=["Organisation"])
    assert keys(audit(g.graph, cfg), "unit-without-planning") == set()


def test_reverse_columns_for_tools_and_hand_over(tmp_path):
    from qmsgraph.graph import QMSGraph
    from qmsgraph.io.readers import read_files

    f = tmp_path / "m.yaml"
    f.write_text("qmsgraph: 1\nnodes:\n"
                 "  - {id: QI-1, kind: ImprovementProject, label: p, status: completed}\n"
                 "  - {id: T1, kind: Team, label: t, handed_over_by: QI-1}\n"
                 "  - {id: TL, kind: ControlTool, label: huddle, used_by: [T1]}\n",
                 encoding="utf-8")
    changes = read_files([f], QMSGraph())
    keys = {(e.source, e.kind, e.target) for e, _ in changes.add_edges}
    assert keys == {("QI-1", "handsOverTo", "T1"), ("T1", "uses", "TL")}
