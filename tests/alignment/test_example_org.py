"""The example organisation: every planted problem is found, and nothing else is reported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qmsgraph.cli import example_files
from qmsgraph.io.rdf import shacl_validate
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore

README = Path(__file__).resolve().parents[2] / "examples" / "README.md"


def planted() -> set[tuple[str, str]]:
    """(rule, node) pairs from the planted-problems table of examples/README.md."""
    out = set()
    in_table = False
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("| # | id(s) | rule |"):
            in_table = True
            continue
        if in_table and not line.startswith("|"):
            break
        if in_table and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            ids = re.findall(r"`([^`]+)`", cells[1].split("(")[0])
            out |= {(cells[2], i) for i in ids}
    return out


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    s = SQLiteStore(tmp_path_factory.mktemp("ex") / "example.qmsdb")
    load_files(s, example_files())
    yield s
    s.close()


def test_the_readme_lists_the_planted_problems():
    rules = {r for r, _ in planted()}
    assert {"orphaned-work", "misaligned-inactive-goal", "declared-not-evidenced",
            "duplicated-effort", "goal-without-measure", "measure-without-owner"} <= rules
    assert len(planted()) >= 15


def test_every_planted_problem_is_found_and_nothing_else(example):
    report = example.audit()
    found = {(f.rule, f.node) for f in report.findings}
    assert planted() - found == set(), "planted but not found"
    unplanted_errors = {(f.rule, f.node) for f in report.findings
                        if f.severity == "error"} - planted()
    assert unplanted_errors == set()
    assert found - planted() == set(), "reported but not planted"


def test_example_size_matches_the_issue(example):
    g = example.graph()
    s = g.stats()["node_kinds"]
    assert s["StrategicGoal"] == 5
    assert sum(1 for x in g.nodes("StrategicGoal") if x.status == "retired") == 1
    assert s["Directorate"] >= 4 and s["Team"] >= 12 and s["PopulationNeed"] >= 4
    assert s["ImprovementProject"] >= 60
    measures = list(g.nodes("Measure"))
    assert len(measures) >= 40
    assert {m.measure_type for m in measures} == {"outcome", "process", "balancing",
                                                  "structure"}
    assert all(len(m.data) >= 24 for m in measures)
    assert {p.process_type for p in g.nodes("Process")} == {"driver", "mainstay", "support"}
    assert {p.tier for p in g.nodes("ImprovementProject")} == {"project", "directorate",
                                                               "system"}


def test_example_conforms_to_the_shapes(example):
    assert shacl_validate(example.graph()) == []


def test_classification_of_the_planted_projects(example):
    cls = example.audit().classification
    assert {p for p, c in cls.items() if c == "orphaned"} == {"QI-062", "QI-063", "QI-064"}
    assert {p for p, c in cls.items() if c == "misaligned"} == {
        "QI-065", "QI-066", "QI-067", "QI-068", "QI-069"}
