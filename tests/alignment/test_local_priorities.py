"""Local priorities and a constructive tone (issue 20, item 4): work whose thread ends at a
unit's own priority is locally aligned (its own rule and severity), not orphaned; every
finding says what to do next; every rule's severity is configurable."""

from __future__ import annotations

from pathlib import Path

import pytest

from qmsgraph.alignment import RULES, AlignmentConfig, audit, load_config
from qmsgraph.cli import example_files
from qmsgraph.errors import ValidationError
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore
from tests.alignment.builder import base


def local_work():
    """A team's project improving a measure that indicates only the team's own priority."""
    g = base().node("LP", "LocalPriority", label="Quiet nights on Ward 3")
    g.node("M2", "Measure").node("Q2", "ImprovementProject", status="active")
    g.edge("T1", "owns", "LP").edge("M2", "indicates", "LP").edge("Q2", "improves", "M2")
    g.edge("T1", "owns", "M2").edge("T1", "monitors", "M2")
    return g


def rules_of(report, node):
    return {f.rule: f for f in report.findings if f.node == node}


def test_work_ending_at_a_local_priority_is_locally_aligned_not_orphaned():
    r = audit(local_work().graph)
    got = rules_of(r, "Q2")
    assert set(got) == {"locally-aligned"}
    f = got["locally-aligned"]
    assert f.severity == "info" and f.evidence.related == ["LP"]
    assert f.evidence.details["owners"] == {"LP": ["T1"]}
    assert "'Quiet nights on Ward 3' (a priority of 'Team T1')" in f.message
    assert "link it there (contributesTo)" in f.message
    assert r.classification["Q2"] == "locally-aligned"
    assert "locally-aligned" in rules_of(r, "M2")   # the measure too


def test_a_local_priority_linked_to_a_goal_makes_the_work_aligned():
    g = local_work().edge("LP", "contributesTo", "G1")
    r = audit(g.graph)
    assert rules_of(r, "Q2") == {} and r.classification["Q2"] == "aligned"
    assert not [f for f in r.findings if f.rule == "locally-aligned"]


def test_without_a_local_priority_the_work_is_still_orphaned():
    g = base().node("M2", "Measure").node("Q2", "ImprovementProject", status="active")
    g.edge("Q2", "improves", "M2").edge("T1", "owns", "M2")
    r = audit(g.graph)
    f = rules_of(r, "Q2")["orphaned-work"]
    assert f.severity == "error" and r.classification["Q2"] == "orphaned"
    assert "Link 'Measure M2' to the objective or goal it serves, or record the local " \
        "priority" in f.message


def test_check_project_calls_a_proposal_for_a_local_priority_locally_aligned():
    from qmsgraph.alignment import ProjectProposal, check_project

    g = local_work()
    c = check_project(g.graph, ProjectProposal(label="x", aim="y", measures=["M2"],
                                               declared_priority="LP"))
    assert c.verdict == "locally-aligned"
    assert any("'Quiet nights on Ward 3'" in r for r in c.reasons)
    g.edge("LP", "contributesTo", "G1")
    assert check_project(g.graph, ProjectProposal(label="x", measures=["M2"])).verdict in (
        "aligned", "weak")
    c = check_project(base().node("M3", "Measure").graph,
                      ProjectProposal(label="x", measures=["M3"]))
    assert c.verdict == "orphaned" and "record the local priority" in c.reasons[0]


def test_a_declared_local_priority_that_is_reached_is_no_finding():
    g = local_work().edge("Q2", "alignsTo", "LP")
    assert set(rules_of(audit(g.graph), "Q2")) == {"locally-aligned"}


def test_locally_aligned_severity_and_every_rule_are_configurable(tmp_path: Path):
    cfg_file = tmp_path / "qms.toml"
    cfg_file.write_text('[alignment]\nseverities = { "locally-aligned" = "warning", '
                        '"orphaned-work" = "warning" }\n', encoding="utf-8")
    cfg = load_config(cfg_file)
    assert rules_of(audit(local_work().graph, cfg), "Q2")["locally-aligned"].severity == \
        "warning"
    off = AlignmentConfig(disabled_rules=["locally-aligned"])
    assert rules_of(audit(local_work().graph, off), "Q2") == {}
    for rule in RULES:  # every rule takes a severity from the configuration
        AlignmentConfig(severities={rule: "info"})


def test_an_unknown_rule_in_the_configuration_is_a_clear_error(tmp_path: Path):
    cfg_file = tmp_path / "qms.toml"
    cfg_file.write_text('[alignment]\nseverities = { "orphaned" = "info" }\n', encoding="utf-8")
    with pytest.raises(ValidationError, match="unknown rule.*'orphaned'.*orphaned-work"):
        load_config(cfg_file)


# The first words of the sentence that says what to do next, in every finding.
NEXT_STEP = ("Link ", "Record ", "Load ", "Have ", "Agree ", "Review ", "Move ", "Break ",
             "Declare ", "join them up", "link it there", "record that it monitors",
             "record which unit")


@pytest.mark.parametrize("model", ["northvale", "eastbrook"])
def test_every_finding_says_what_to_do_next(model: str, tmp_path: Path):
    files = example_files() if model == "northvale" else [
        Path(example_files()[0]).with_name("eastbrook.yaml")]
    s = SQLiteStore(tmp_path / "x.qmsdb")
    load_files(s, files)
    report = s.audit()
    s.close()
    assert report.findings
    silent = [f"{f.rule} {f.node}: {f.message}" for f in report.findings
              if not any(step in f.message for step in NEXT_STEP)]
    assert silent == []
