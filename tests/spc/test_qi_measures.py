"""Measures carry their chart: chart type, denominators and rebases in the model files, the
chart chosen per measure, annotations found through the thread, and rebase prompts that appear
only when a recorded change explains a shift (through the CLI, against a real store)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from qmsgraph.cli import app
from qmsgraph.errors import ValidationError
from qmsgraph.io.readers import load_files
from qmsgraph.spc.graph import summary
from qmsgraph.spc.measures import measure_chart
from qmsgraph.stores import open_store

runner = CliRunner()
MONTHS = [date(2023 + (i // 12), i % 12 + 1, 1) for i in range(24)]
# patients assessed within 24 hours out of those admitted: ~60 % for a year, then ~85 %
ASSESSED = [30, 27, 33, 29, 31, 28, 30, 32, 29, 31, 28, 30,
            42, 44, 41, 43, 45, 42, 44, 43, 41, 44, 42, 43]
ADMITTED = [50] * 24


def _points(values: list[float], denominators: list[float] | None = None) -> list[dict]:
    out = []
    for i, (d, v) in enumerate(zip(MONTHS, values, strict=True)):
        p = {"date": d.isoformat(), "value": v}
        if denominators is not None:
            p["denominator"] = denominators[i]
        out.append(p)
    return out


def model(tmp_path: Path) -> Path:
    nodes = [
        {"id": "G-1", "kind": "StrategicGoal", "label": "Reduce avoidable harm"},
        {"id": "M-RA", "kind": "Measure", "label": "Falls risk assessed within 24 hours",
         "measure_type": "process", "direction": "increase", "unit_of_measure": "%",
         "target": 80, "chart_type": "p", "indicates": "G-1",
         "data": _points(ASSESSED, ADMITTED)},
        {"id": "M-UNEXPLAINED", "kind": "Measure", "label": "Same shift, no recorded change",
         "measure_type": "process", "direction": "increase", "unit_of_measure": "%",
         "chart_type": "p", "data": _points(ASSESSED, ADMITTED)},
        {"id": "M-X", "kind": "Measure", "label": "Days to discharge summary",
         "measure_type": "process", "direction": "decrease",
         "data": _points([5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5,
                          3, 3, 2, 3, 2, 3, 3, 2, 3, 2, 3, 3])},
        {"id": "QI-1", "kind": "ImprovementProject", "label": "Falls collaborative",
         "status": "completed", "start_date": "2023-06-01", "end_date": "2024-10-31",
         "improves": ["M-RA"]},
        {"id": "QI-1.1", "kind": "ImprovementProject", "label": "Ward 7 falls pilot",
         "start_date": "2023-09-01", "subProjectOf": "QI-1"},
        {"id": "PD-1", "kind": "PrimaryDriver", "label": "Reliable assessment",
         "drives": "QI-1"},
        {"id": "SD-1", "kind": "SecondaryDriver", "label": "Assessment on admission",
         "drives": "PD-1"},
        {"id": "CI-1", "kind": "ChangeIdea", "label": "Safety cross on the huddle board",
         "date": "2023-11-20", "changes": "SD-1"},
        {"id": "PDSA-1", "kind": "PDSACycle", "label": "Safety cross, day shift",
         "date": "2023-12-04", "tests": "CI-1"},
        {"id": "CI-2", "kind": "ChangeIdea", "label": "Template discharge summary",
         "improves": "M-X"},
        {"id": "PDSA-2", "kind": "PDSACycle", "label": "Template on ward 9",
         "date": "2023-12-11", "tests": "CI-2"},
    ]
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump({"qmsgraph": 1, "nodes": nodes}, sort_keys=False))
    return path


@pytest.fixture
def store(tmp_path: Path) -> str:
    path = str(tmp_path / "m.qmsdb")
    s = open_store(path)
    load_files(s, [str(model(tmp_path))])
    s.close()
    return path


def spc(*args: str) -> dict:
    result = runner.invoke(app, ["spc", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_measure_is_charted_on_its_chart_type_with_its_denominators(store, tmp_path):
    d = spc("M-RA", "--store", store, "--out", str(tmp_path / "ra.png"))
    assert d["chart_type"] == "p" and d["options"]["multiply"] == 100  # the unit says %
    assert d["points"][0]["y"] == pytest.approx(60.0) and d["points"][0]["n"] == 50
    assert d["points"][0]["cl"] == pytest.approx(100 * sum(ASSESSED) / 1200)
    assert d["parts"][0]["runs_signal"] is True  # twelve below, twelve above
    assert d["variation_icon"] == "improvement_high" and d["assurance_icon"] == "inconsistent"
    assert (tmp_path / "ra.png").read_bytes()[:4] == b"\x89PNG"
    for other in ("pp", "run", "i"):  # another chart of the same y / n, on the unit's scale
        o = spc("M-RA", "--store", store, "--chart", other)
        assert o["options"]["multiply"] == 100 and o["points"][0]["y"] == pytest.approx(60.0)
    assert spc("M-RA", "--store", store, "--chart", "c")["points"][0][
        "y"] == 30  # a c chart counts the numerators
    xmr = spc("M-X", "--store", store, "--out", str(tmp_path / "x.svg"))
    assert xmr["chart_type"] == "xmr" and "groups" in xmr  # the default stays XmR
    run = spc("M-RA", "--store", store, "--chart", "run", "--rules", "ihi",
              "--out", str(tmp_path / "run.png"))
    assert run["chart_type"] == "run" and run["variation_icon"] is None
    assert run["parts"][0]["ihi"]["shifts"] == [[1, 12], [13, 24]]
    assert run["signals"][0].startswith("Shift: from 2023-01-01 to 2023-12-01")


def test_annotations_come_from_the_thread_downwards(store):
    d = spc("M-RA", "--store", store)
    marks = [(a["date"], a["kind"], a["node"]) for a in d["annotations"]]
    assert marks == [
        ("2023-06-01", "project_start", "QI-1"),
        ("2023-09-01", "project_start", "QI-1.1"),  # a sub-project
        ("2023-11-20", "change_idea", "CI-1"),  # through the driver diagram
        ("2023-12-04", "pdsa", "PDSA-1"),
        ("2024-10-31", "project_end", "QI-1"),  # finished
    ]
    assert spc("M-UNEXPLAINED", "--store", store)["annotations"] == []


def test_rebase_prompt_only_when_a_recorded_change_explains_the_shift(store):
    d = spc("M-RA", "--store", store, "--suggest-rebase")
    prompt = d["rebase_prompt"]
    assert prompt["proposed"] is True and prompt["date"] == "2024-01-01"
    assert prompt["change"]["node"] == "PDSA-1" and "confirm a rebase" in prompt["message"]
    assert not any(p["part"] > 1 for p in d["points"])  # nothing rebased
    none = spc("M-UNEXPLAINED", "--store", store, "--suggest-rebase")
    assert none["rebase_prompt"]["proposed"] is False
    assert none["rebase_prompt"]["change"] is None
    assert "No rebase is proposed" in none["rebase_prompt"]["message"]
    x = spc("M-X", "--store", store, "--suggest-rebase")  # XmR
    assert x["rebase_prompt"]["proposed"] and x["rebase_prompt"]["change"]["node"] == "PDSA-2"
    text = runner.invoke(app, ["spc", "M-RA", "--store", store, "--suggest-rebase",
                               "--out", str(Path(store).parent / "m-ra.svg")]).output
    assert "rebase?" in text and "Safety cross, day shift" in text


def test_a_recorded_rebase_starts_a_new_part_and_is_marked(tmp_path):
    path = model(tmp_path)
    doc = yaml.safe_load(path.read_text())
    doc["nodes"][1]["data"][12]["rebase"] = "Safety cross on every shift"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    s = open_store(str(tmp_path / "r.qmsdb"))
    load_files(s, [str(path)])
    graph = s.view()
    mc = measure_chart(graph, "M-RA", suggest_rebase=True)
    assert [p.part for p in mc.result.points] == [1] * 12 + [2] * 12
    assert mc.result.points[12].cl == pytest.approx(100 * sum(ASSESSED[12:]) / 600)
    assert ("2024-01-01", "rebase", "Safety cross on every shift") in [
        (a.date.isoformat(), a.kind, a.label) for a in mc.annotations]
    assert mc.rebase_prompt is None  # no shift left in the latest part
    assert summary(graph, "M-RA", s)["chart_type"] == "p"
    s.close()


def test_denominators_and_rebases_in_measure_data_csv(tmp_path):
    m = tmp_path / "measures.csv"
    m.write_text("id,label,measure_type,direction,unit_of_measure,chart_type\n"
                 "M1,Pressure ulcers,outcome,decrease,\"per 1,000 bed days\",u\n")
    data = tmp_path / "data.csv"
    rows = [f"M1,{d.isoformat()},{v},{n},{'New wards' if i == 6 else ''}"
            for i, (d, v, n) in enumerate(zip(MONTHS, [3, 4, 2, 5, 3, 4] * 4,
                                              [2900 + 10 * i for i in range(24)], strict=True))]
    data.write_text("measure_id,date,value,denominator,rebase\n" + "\n".join(rows) + "\n")
    s = open_store(str(tmp_path / "c.qmsdb"))
    load_files(s, [str(m), str(data)])
    graph = s.view()
    node = graph.node("M1")
    assert node.chart_type == "u" and node.data[0].denominator == 2900
    assert node.data[6].rebase == "New wards"
    mc = measure_chart(graph, "M1")
    assert mc.result.options.multiply == 1000 and mc.result.points[0].y == pytest.approx(
        3 / 2900 * 1000)
    bad = tmp_path / "bad.csv"
    bad.write_text("measure_id,date,value,denominator\nM1,2025-01-01,3,-5\n")
    with pytest.raises(ValidationError) as err:
        load_files(s, [str(bad)])
    assert "bad.csv row 2" in str(err.value) and "denominator" in str(err.value)
    s.close()


def test_ratio_chart_without_denominators_names_the_points(tmp_path):
    path = model(tmp_path)
    doc = yaml.safe_load(path.read_text())
    for p in doc["nodes"][1]["data"][:3]:
        del p["denominator"]
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    s = open_store(str(tmp_path / "d.qmsdb"))
    load_files(s, [str(path)])
    out = runner.invoke(app, ["spc", "M-RA", "--store", str(tmp_path / "d.qmsdb")])
    assert out.exit_code == 1
    assert "p chart needs a denominator" in out.output and "2023-01-01" in out.output
    s.close()


def test_board_page_shows_chart_marks_and_the_rebase_prompt(store):
    from qmsgraph.visualisations.board import render_board

    s = open_store(store, create=False)
    graph = s.view()
    html = render_board(graph, s.audit(), {}, links="served")
    s.close()
    assert "P chart (proportion)" in html
    assert 'href="map?view=thread&amp;focus=PDSA-1"' in html  # a marker links to its node
    assert "<strong>Rebase?</strong>" in html and "Safety cross, day shift" in html


def test_both_example_organisations_carry_several_chart_types(tmp_path):
    """Northvale and Eastbrook each judge measures on more than one kind of chart, and the
    store's SPC summaries (which the Board page, the maps and at-risk goals read) say which."""
    from qmsgraph.cli import example_files
    from qmsgraph.io.readers import load_files
    from qmsgraph.stores import SQLiteStore

    examples = Path(example_files()[0]).parent
    for name, files in (("northvale", example_files()), ("eastbrook",
                                                         [examples / "eastbrook.yaml"])):
        s = SQLiteStore(tmp_path / f"{name}.qmsdb")
        try:
            load_files(s, files)
            kinds = {x.get("chart_type", "xmr") for x in s.spc_summaries().values()}
        finally:
            s.close()
        assert len(kinds) >= 3 if name == "northvale" else len(kinds) >= 2, (name, kinds)
        assert "xmr" in kinds
