"""The QI hub's portfolio (issue 20, item 2): one row per project with its unit, status,
progress and evidence, measure family, verdict and overlaps; filters by goal, unit (with the
units below it) and status; totals per goal (goals whose measures are of one type only) and
per unit; the CLI in every format."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from qmsgraph.cli import app, example_files
from qmsgraph.errors import NotFoundError, ValidationError
from qmsgraph.io.readers import load_files
from qmsgraph.stores import SQLiteStore, changes_from_graph

from .builder import base, monthly

runner = CliRunner()


@pytest.fixture(scope="module")
def northvale(tmp_path_factory):
    path = tmp_path_factory.mktemp("hub") / "nv.qmsdb"
    s = SQLiteStore(path)
    load_files(s, example_files())
    yield s
    s.close()


def test_one_row_per_project_with_its_facts(northvale):
    p = northvale.portfolio()
    view = northvale.view()
    assert [r.project for r in p.rows] == sorted(view.ids("ImprovementProject"))
    rows = {r.project: r for r in p.rows}
    r = rows["QI-007"]
    assert r.units == ["T-W7"] and r.status == "active" and r.verdict == "aligned"
    assert r.progress == 4.5 and r.progress_name == "Sustainable improvement"
    assert r.measures == ["M-FALLS", "M-FALLS-RA"]
    assert r.family == {"outcome": True, "process": True, "balancing": False}
    assert r.overlaps == ["QI-061"] and rows["QI-061"].overlaps == ["QI-007"]
    assert r.goals == ["G1"] and r.evidence[0].startswith("0.5 ")
    assert len(r.evidence) == 9
    assert (rows["QI-P02"].recorded, rows["QI-P02"].supported) == (4.0, False)
    assert (rows["QI-P01"].recorded, rows["QI-P01"].supported, rows["QI-P01"].progress) == (
        5.0, True, 5.0)
    # verdicts of finished projects come from their thread too
    assert rows["QI-P01"].verdict == "aligned"
    assert rows["QI-062"].verdict == "orphaned" and rows["QI-065"].verdict == "misaligned"


def test_filters(northvale):
    done = northvale.portfolio(status="completed").rows
    assert done and {r.status for r in done} == {"completed"}
    assert "QI-P01" in {r.project for r in done}
    med = {r.project for r in northvale.portfolio(unit="DIR-MED").rows}
    assert "QI-015" in med  # led by T-ED, a team of the medicine directorate
    assert "QI-061" not in med  # Ward 12 is in surgery
    g3 = northvale.portfolio(goal="G3")
    assert "QI-P01" in {r.project for r in g3.rows}
    assert all("G3" in r.goals for r in g3.rows)
    assert [g.goal for g in g3.goals] == ["G3"]
    both = northvale.portfolio(goal="G1", unit="T-W7", status="active")
    assert [r.project for r in both.rows] == ["QI-007"]
    assert [u.unit for u in both.units] == ["T-W7"]
    with pytest.raises(ValidationError, match="unknown status 'done'"):
        northvale.portfolio(status="done")
    with pytest.raises(NotFoundError):
        northvale.portfolio(goal="NOPE")
    with pytest.raises(ValidationError, match="not a StrategicGoal"):
        northvale.portfolio(goal="T-W7")
    with pytest.raises(ValidationError, match="not an OrganisationalUnit"):
        northvale.portfolio(unit="G1")


def test_goal_and_unit_totals(northvale):
    p = northvale.portfolio()
    goals = {g.goal: g for g in p.goals}
    assert set(goals) == {"G1", "G2", "G3", "G4"}  # active goals only
    g1 = goals["G1"]
    assert g1.projects == sum(1 for r in p.rows if "G1" in r.goals)
    assert g1.missing == ["balancing"] and not g1.one_type_only
    assert goals["G4"].measure_types["outcome"] == 0  # planted: no measure reaches G4
    units = {u.unit: u for u in p.units}
    org = units["ORG-NHB"]
    assert org.projects == len({r.project for r in p.rows if r.units})
    assert units["T-W7"].projects == 2 and units["T-W7"].family["outcome"] == 1
    assert units["T-W7"].mean_progress == round((4.5 + 1.5) / 2, 2)


def test_a_goal_measured_by_one_type_only_is_flagged(tmp_path):
    g = base()
    g.node("M2", "Measure", measure_type="outcome", data=monthly([1, 2] * 6))
    g.edge("M2", "indicates", "G1").edge("T1", "owns", "M2")
    with SQLiteStore(tmp_path / "one.qmsdb") as s:
        s.apply(changes_from_graph(g.graph))
        (goal,) = s.portfolio().goals
        assert goal.one_type_only and goal.missing == ["process", "balancing"]
        g.node("M3", "Measure", measure_type="balancing", data=monthly([1, 2] * 6))
        g.edge("M3", "indicates", "O1").edge("T1", "owns", "M3")
    with SQLiteStore(tmp_path / "two.qmsdb") as s:
        s.apply(changes_from_graph(g.graph))
        (goal,) = s.portfolio().goals
        assert not goal.one_type_only and goal.missing == ["process"]


def test_cli_formats(northvale):
    path = str(northvale.path)
    r = runner.invoke(app, ["portfolio", "--store", path, "--format", "json",
                            "--status", "completed"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert {x["status"] for x in data["rows"]} == {"completed"} and data["goals"]
    r = runner.invoke(app, ["portfolio", "--store", path, "--format", "csv", "--unit", "T-W7"])
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(r.output)))
    assert rows[0][:5] == ["project", "label", "status", "units", "progress"]
    assert [x[0] for x in rows[1:]] == ["QI-007", "QI-058"]
    assert rows[1][4] == "4.5" and rows[1][15] == "QI-061"
    r = runner.invoke(app, ["portfolio", "--store", path, "--goal", "G2"],
                      env={"COLUMNS": "160"})
    assert r.exit_code == 0 and "QI-015" in r.output and "Per goal" in r.output
    r = runner.invoke(app, ["portfolio", "--store", path, "--goal", "NOPE"])
    assert r.exit_code == 1 and "no node with id 'NOPE'" in r.output
    r = runner.invoke(app, ["portfolio", "--store", path, "--status", "done"])
    assert r.exit_code == 2


def test_cli_progress(northvale):
    path = str(northvale.path)
    r = runner.invoke(app, ["progress", "QI-P02", "--store", path], env={"COLUMNS": "160"})
    assert r.exit_code == 0, r.output
    assert "progress 2.5 Changes tested, but no improvement" in r.output
    assert "Recorded by the team: 4.0: not supported" in r.output
    assert "To move up: 3.0 (Modest improvement)" in r.output
    r = runner.invoke(app, ["progress", "QI-P01", "--store", path, "--format", "json"])
    d = json.loads(r.output)
    assert (d["level"], d["recorded"], d["supported"], d["next"]) == (5.0, 5.0, True, None)
    r = runner.invoke(app, ["progress", "G1", "--store", path])
    assert r.exit_code == 1 and "not an ImprovementProject" in r.output
    r = runner.invoke(app, ["progress", "NOPE", "--store", path])
    assert r.exit_code == 1 and "no node with id 'NOPE'" in r.output
