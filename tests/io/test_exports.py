"""Exports to csv, xlsx and Kumu: the example organisation out and, for csv and xlsx, back
in to the same graph; read by readers this project did not write (csv module, openpyxl,
json, LibreOffice when installed)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from qmsgraph.cli import app, example_files
from qmsgraph.graph import QMSGraph
from qmsgraph.io.readers import load_files
from qmsgraph.io.tables_out import to_csv_files, to_kumu
from qmsgraph.io.xlsx import to_xlsx
from qmsgraph.stores import SQLiteStore


def content(g: QMSGraph) -> tuple[dict, set, dict]:
    """What a register carries: every node's fields (not provenance), edges and data."""
    nodes = {n.id: (n.kind, n.model_dump(exclude={"provenance"})) for n in g.nodes()}
    edges = {e.key for e in g.edges()}
    reasons = {e.key: e.provenance.reason for e in g.edges() if e.provenance.reason}
    return nodes, edges, reasons


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> QMSGraph:
    s = SQLiteStore(tmp_path_factory.mktemp("ex") / "ex.qmsdb")
    load_files(s, example_files())
    g = s.graph()
    s.close()
    return g


def reload(tmp_path: Path, paths: list[Path]) -> QMSGraph:
    s = SQLiteStore(tmp_path / "back.qmsdb")
    load_files(s, paths)
    g = s.graph()
    s.close()
    return g


def test_xlsx_export_loads_back_to_the_same_graph(example, tmp_path):
    p = tmp_path / "out.xlsx"
    p.write_bytes(to_xlsx(example))
    wb = load_workbook(p, read_only=True)
    assert {"StrategicGoal", "Measure", "ImprovementProject", "edges",
            "measure_data"} <= set(wb.sheetnames)
    wb.close()
    back = reload(tmp_path, [p])
    assert content(back) == content(example)
    assert sum(len(n.data) for n in back.nodes() if hasattr(n, "data")) > 100


def test_csv_export_loads_back_to_the_same_graph(example, tmp_path):
    files = to_csv_files(example)
    paths = []
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8", newline="")
        paths.append(tmp_path / name)
    assert (tmp_path / "nodes.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(files["nodes.csv"].lstrip("\ufeff"))))
    assert len(rows) == len(list(example.nodes()))
    assert content(reload(tmp_path, paths)) == content(example)


def test_formula_text_is_neutralised_and_survives(tmp_path, store, mini_yaml):
    load_files(store, [mini_yaml])
    y = tmp_path / "evil.yaml"
    y.write_text("nodes:\n  - id: T-x\n    kind: Team\n    label: '=HYPERLINK(\"http://x\",\"y\")'\n"
                 "  - id: T-y\n    kind: Team\n    label: '-5'\n", encoding="utf-8")
    load_files(store, [y])
    g = store.graph()
    files = to_csv_files(g)
    assert ",'=HYPERLINK(" in files["nodes.csv"].replace('"', "")
    book = to_xlsx(g)
    wb = load_workbook(io.BytesIO(book))
    cells = [c for row in wb["Team"].iter_rows() for c in row if c.value and
             str(c.value).startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)  # text, not a formula
    p = tmp_path / "x.xlsx"
    p.write_bytes(book)
    assert reload(tmp_path, [p]).node("T-x").label.startswith("=HYPERLINK")
    (tmp_path / "csv").mkdir()
    for name, text in files.items():
        (tmp_path / "csv" / name).write_text(text, encoding="utf-8", newline="")
    back = reload(tmp_path / "csv", [tmp_path / "csv" / n for n in files])
    assert back.node("T-x").label == '=HYPERLINK("http://x","y")'
    assert back.node("T-y").label == "-5"


def test_kumu_blueprint(example):
    doc = json.loads(to_kumu(example))
    ids = {e["id"] for e in doc["elements"]}
    assert len(ids) == len(doc["elements"]) == len(list(example.nodes()))
    assert all({"id", "label", "type"} <= set(e) for e in doc["elements"])
    assert len(doc["connections"]) == len(list(example.edges()))
    assert all(c["from"] in ids and c["to"] in ids and c["direction"] == "directed"
               for c in doc["connections"])
    goal = next(e for e in doc["elements"] if e["type"] == "StrategicGoal")
    assert "Status" in goal


def test_cli_export_formats_and_template(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "s.qmsdb")
    r = runner.invoke(app, ["template", str(tmp_path / "model.xlsx")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["template", str(tmp_path / "model.xlsx")])
    assert r.exit_code == 1 and "exists" in r.output
    r = runner.invoke(app, ["load", *map(str, example_files()), "--store", db])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["export", "--format", "xlsx", "-o", str(tmp_path / "o.xlsx"),
                            "--store", db])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["export", "--format", "csv", "-o", str(tmp_path / "csv"),
                            "--store", db])
    assert r.exit_code == 0 and (tmp_path / "csv" / "edges.csv").exists(), r.output
    r = runner.invoke(app, ["export", "--format", "kumu", "--store", db])
    assert r.exit_code == 0 and json.loads(r.stdout)["elements"]
    r = runner.invoke(app, ["load", str(tmp_path / "o.xlsx"), "--store",
                            str(tmp_path / "b.qmsdb")])
    assert r.exit_code == 0 and "added" in r.output, r.output


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_opens_the_export_and_the_template(example, tmp_path):
    (tmp_path / "out.xlsx").write_bytes(to_xlsx(example))
    subprocess.run(["soffice", "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc)"
                    ":44,34,76,1,,0,false,true,false,false,false,-1", "--outdir",
                    str(tmp_path / "lo"), str(tmp_path / "out.xlsx")],
                   check=True, capture_output=True, timeout=180)
    measure_csv = tmp_path / "lo" / "out-Measure.csv"
    rows = list(csv.reader(measure_csv.read_text(encoding="utf-8").splitlines()))
    assert rows[0][:4] == ["id", "label", "description", "measure_type"]
    assert len(rows) - 1 == len(list(example.nodes("Measure")))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_template_resaved_by_libreoffice_keeps_dropdowns_and_loads(tmp_path, store):
    from qmsgraph.io.template import write_template

    src = write_template(tmp_path / "model.xlsx")
    subprocess.run(["soffice", "--headless", "--convert-to", "xlsx", "--outdir",
                    str(tmp_path / "lo"), str(src)], check=True, capture_output=True,
                   timeout=180)
    wb = load_workbook(tmp_path / "lo" / "model.xlsx")
    assert wb["_lists"].sheet_state == "hidden"
    lists = [d for d in wb["Measure"].data_validations.dataValidation if d.type == "list"]
    assert lists and all("_lists" in d.formula1 for d in lists)
    ws = wb["Measure"]
    header = [c.value for c in ws[1]]
    ws.append([{"id": "M1", "label": "Falls", "measure_type": "outcome"}.get(h)
               for h in header])
    wb.save(tmp_path / "filled.xlsx")
    r = load_files(store, [tmp_path / "filled.xlsx"])
    assert r.nodes_added == 1


def test_xlsx_refuses_more_rows_than_a_sheet_holds(example, monkeypatch):
    import qmsgraph.io.xlsx as x
    from qmsgraph.errors import ValidationError

    monkeypatch.setattr(x, "EXCEL_MAX_ROWS", 100)  # the example has more relations
    with pytest.raises(ValidationError, match="export csv instead"):
        x.to_xlsx(example)
